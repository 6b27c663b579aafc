//! What a regency looks like: agencies and their units, services, indicators,
//! names, comments and trainings the generator draws from.

#![allow(clippy::wildcard_imports)]

use super::*;

pub(super) struct AgencyDef {
    pub(super) name: &'static str,
    /// Units after the secretariat and `fixed`: `<prefix> <place>`.
    pub(super) prefix: &'static str,
    pub(super) fixed: &'static [&'static str],
    pub(super) services: &'static [&'static str],
    pub(super) functional: &'static [&'static str],
    /// Relative number of citizens served per unit.
    pub(super) traffic: u32,
    /// Agency-specific SKP indicators.
    pub(super) indicators: &'static [Indicator],
}

/// An SKP indicator: text, unit of measure, target range; `%` targets are
/// capped at 100.
pub(super) type Indicator = (&'static str, &'static str, u32, u32);

pub(super) const AGENCIES: &[AgencyDef] = &[
    AgencyDef {
        name: "Dinas Kesehatan",
        prefix: "Puskesmas",
        fixed: &[],
        services: &[
            "Pelayanan rawat jalan",
            "Pemeriksaan ibu hamil",
            "Imunisasi anak",
            "Pelayanan gigi",
            "Laboratorium",
        ],
        functional: &["Perawat", "Bidan", "Dokter", "Apoteker", "Pranata Laboratorium Kesehatan", "Nutrisionis"],
        traffic: 10,
        indicators: &[
            ("Jumlah pasien rawat jalan yang dilayani", "orang", 800, 4000),
            ("Cakupan imunisasi dasar lengkap", "%", 85, 95),
            ("Persentase ibu hamil yang mendapat pelayanan antenatal", "%", 85, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Pendidikan dan Kebudayaan",
        prefix: "SMP Negeri",
        fixed: &["Bidang Pembinaan Sekolah Dasar", "Bidang Pendidik dan Tenaga Kependidikan"],
        services: &["Pendaftaran peserta didik baru", "Legalisir ijazah", "Layanan perpustakaan", "Mutasi siswa"],
        functional: &["Guru", "Pustakawan", "Pengawas Sekolah", "Pamong Belajar"],
        traffic: 4,
        indicators: &[
            ("Jumlah jam tatap muka yang terlaksana", "jam", 300, 600),
            ("Persentase peserta didik yang tuntas KKM", "%", 75, 95),
        ],
    },
    AgencyDef {
        name: "Dinas Kependudukan dan Pencatatan Sipil",
        prefix: "Layanan Adminduk Distrik",
        fixed: &["Bidang Pelayanan Pendaftaran Penduduk", "Bidang Pelayanan Pencatatan Sipil"],
        services: &["Pembuatan KTP-el", "Penerbitan Kartu Keluarga", "Akta kelahiran", "Surat pindah", "Akta kematian"],
        functional: &["Administrator Database Kependudukan", "Pranata Komputer", "Analis Kependudukan"],
        traffic: 9,
        indicators: &[
            ("Jumlah KTP-el yang diterbitkan", "keping", 500, 5000),
            ("Jumlah akta kelahiran yang diterbitkan", "akta", 200, 2000),
            ("Persentase dokumen kependudukan selesai dalam 1 hari", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
        prefix: "Layanan Kepegawaian Distrik",
        fixed: &[
            "Bidang Mutasi dan Promosi",
            "Bidang Pengembangan Kompetensi",
            "Bidang Penilaian Kinerja dan Penghargaan",
            "Bidang Pengadaan dan Informasi Kepegawaian",
        ],
        services: &["Layanan kenaikan pangkat", "Layanan pensiun", "Konsultasi kepegawaian", "Layanan cuti"],
        functional: &["Analis Sumber Daya Manusia Aparatur", "Asesor SDM Aparatur", "Pranata Komputer"],
        traffic: 2,
        indicators: &[
            ("Jumlah usulan kenaikan pangkat yang diproses", "usulan", 100, 800),
            ("Persentase data SIASN yang dimutakhirkan", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        prefix: "Mal Pelayanan Publik",
        fixed: &["Bidang Pelayanan Perizinan", "Bidang Pengaduan dan Informasi"],
        services: &[
            "Perizinan berusaha",
            "Persetujuan bangunan gedung",
            "Izin praktik tenaga kesehatan",
            "Izin reklame",
        ],
        functional: &["Penata Perizinan", "Analis Kebijakan"],
        traffic: 6,
        indicators: &[
            ("Jumlah izin yang diterbitkan tepat waktu", "izin", 100, 1500),
            ("Persentase pengaduan perizinan yang diselesaikan", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Sosial",
        prefix: "Layanan Sosial Distrik",
        fixed: &["Bidang Rehabilitasi Sosial"],
        services: &["Bantuan sosial", "Rehabilitasi sosial", "Pemutakhiran DTKS"],
        functional: &["Pekerja Sosial", "Penyuluh Sosial"],
        traffic: 4,
        indicators: &[
            ("Jumlah keluarga penerima manfaat yang diverifikasi", "KK", 200, 2000),
            ("Jumlah penyandang masalah sosial yang direhabilitasi", "orang", 20, 200),
        ],
    },
    AgencyDef {
        name: "Dinas Perhubungan",
        prefix: "UPTD Terminal",
        fixed: &["UPTD Pengujian Kendaraan Bermotor"],
        services: &["Uji KIR kendaraan", "Izin trayek", "Layanan terminal"],
        functional: &["Penguji Kendaraan Bermotor", "Analis Transportasi"],
        traffic: 5,
        indicators: &[
            ("Jumlah kendaraan yang lulus uji berkala", "unit", 300, 3000),
            ("Persentase armada angkutan yang berizin", "%", 70, 95),
        ],
    },
    AgencyDef {
        name: "Rumah Sakit Umum Daerah",
        prefix: "Instalasi Rawat Inap",
        fixed: &[
            "Instalasi Gawat Darurat",
            "Instalasi Rawat Jalan",
            "Instalasi Farmasi",
            "Instalasi Laboratorium",
            "Instalasi Radiologi",
        ],
        services: &["Pelayanan IGD", "Pelayanan rawat inap", "Pelayanan farmasi", "Pemeriksaan laboratorium"],
        functional: &["Perawat", "Dokter", "Apoteker", "Radiografer", "Perekam Medis"],
        traffic: 10,
        indicators: &[
            ("Jumlah pasien yang ditangani", "orang", 1000, 6000),
            ("Persentase resep yang dilayani kurang dari 30 menit", "%", 80, 100),
        ],
    },
    AgencyDef {
        name: "Dinas Pertanian",
        prefix: "Balai Penyuluhan Pertanian",
        fixed: &[],
        services: &["Penyuluhan pertanian", "Bantuan bibit", "Konsultasi tanaman"],
        functional: &["Penyuluh Pertanian", "Pengawas Benih Tanaman", "Medik Veteriner"],
        traffic: 3,
        indicators: &[
            ("Jumlah kelompok tani yang dibina", "kelompok", 5, 40),
            ("Luas lahan yang mendapat pendampingan", "ha", 50, 500),
        ],
    },
    AgencyDef {
        name: "Dinas Lingkungan Hidup",
        prefix: "UPTD Kebersihan",
        fixed: &["Bidang Pengendalian Pencemaran"],
        services: &["Pengangkutan sampah", "Pengaduan lingkungan", "Persetujuan lingkungan"],
        functional: &["Pengendali Dampak Lingkungan", "Pengawas Lingkungan Hidup"],
        traffic: 3,
        indicators: &[
            ("Volume sampah yang terangkut", "ton", 500, 5000),
            ("Persentase pengaduan lingkungan yang ditindaklanjuti", "%", 80, 100),
        ],
    },
];

pub(super) const GENERIC_INDICATORS: &[Indicator] = &[
    ("Persentase layanan yang diselesaikan tepat waktu", "%", 80, 100),
    ("Jumlah dokumen administrasi yang diproses", "dokumen", 50, 600),
    ("Jumlah laporan kinerja yang disusun", "laporan", 4, 12),
    ("Persentase pengaduan masyarakat yang ditindaklanjuti", "%", 80, 100),
    ("Jumlah data yang dimutakhirkan", "data", 100, 1000),
    ("Jumlah kegiatan koordinasi yang dilaksanakan", "kegiatan", 4, 24),
    ("Persentase realisasi anggaran kegiatan", "%", 85, 100),
    ("Jumlah surat yang diagendakan dan didistribusikan", "surat", 200, 1500),
    ("Persentase arsip yang tertata sesuai klasifikasi", "%", 70, 100),
    ("Jumlah rapat yang didokumentasikan", "notulen", 6, 30),
];

pub(super) const PLACES: &[&str] = &[
    "Sanggeng",
    "Amban",
    "Wosi",
    "Pasir Putih",
    "Maripi",
    "Prafi",
    "Warmare",
    "Masni",
    "Sidey",
    "Tanah Rubuh",
    "Manokwari Barat",
    "Manokwari Timur",
    "Manokwari Utara",
    "Manokwari Selatan",
    "Oransbari",
    "Ransiki",
    "Momi Waren",
    "Dataran Isim",
    "Neney",
    "Anggi",
    "Catubouw",
    "Hingk",
    "Didohu",
    "Taige",
    "Minyambouw",
    "Membey",
    "Sururey",
    "Testega",
    "Kebar",
    "Amberbaken",
    "Sidey Jaya",
    "Arfai",
];

pub(super) const MALE: &[&str] = &[
    "Agus", "Budi", "Yohanes", "Markus", "Yosias", "Daniel", "Andi", "Rudi", "Hendrik", "Frans", "Yakobus", "Petrus",
    "Muhammad", "Ahmad", "Rizky", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Lukas", "Matias", "Nikolas",
    "Otniel", "Paulus", "Ronald", "Samuel", "Teguh", "Wahyu", "Yusuf", "Zakarias", "Arnold", "Benny", "Derek",
];
pub(super) const FEMALE: &[&str] = &[
    "Siti",
    "Maria",
    "Yuliana",
    "Dewi",
    "Sri",
    "Ratna",
    "Agustina",
    "Elisabeth",
    "Fransiska",
    "Grace",
    "Hana",
    "Indah",
    "Juliana",
    "Kristina",
    "Lestari",
    "Magdalena",
    "Nur",
    "Oktaviani",
    "Priska",
    "Rahma",
    "Sarah",
    "Theresia",
    "Wulan",
    "Yohana",
    "Anita",
    "Bernadeta",
    "Christina",
    "Diana",
    "Endang",
    "Fitri",
    "Herlina",
    "Ika",
    "Novita",
    "Ruth",
];
pub(super) const SURNAMES: &[&str] = &[
    "Rumbiak",
    "Mandacan",
    "Wanma",
    "Kareth",
    "Rumbewas",
    "Msen",
    "Ayomi",
    "Sawaki",
    "Mansawan",
    "Indouw",
    "Rumfabe",
    "Kawer",
    "Saiba",
    "Wonggor",
    "Mayor",
    "Saputra",
    "Wijaya",
    "Siregar",
    "Simanjuntak",
    "Nasution",
    "Hidayat",
    "Kurniawan",
    "Lestari",
    "Rahayu",
    "Setiawan",
    "Pratama",
    "Sari",
    "Hutapea",
    "Tampubolon",
    "Latuconsina",
    "Pattipeilohy",
    "Manuhutu",
    "Tuhumury",
    "Rahman",
    "Santoso",
    "Wibowo",
    "Gultom",
    "Sinaga",
    "Tanamal",
    "Runaweri",
];

pub(super) const PELAKSANA: &[&str] = &[
    "Pengadministrasi Perkantoran",
    "Pengolah Data dan Informasi",
    "Penata Layanan Operasional",
    "Pengelola Umum Operasional",
    "Operator Layanan Operasional",
    "Bendahara",
    "Arsiparis Pelaksana",
    "Pengelola Keuangan",
];
pub(super) const PENGAWAS: &[&str] = &[
    "Kepala Subbagian Umum dan Kepegawaian",
    "Kepala Subbagian Keuangan",
    "Kepala Seksi Pelayanan",
    "Kepala Seksi Data dan Informasi",
    "Kepala Subbagian Perencanaan",
];
pub(super) const BEHAVIOUR_NOTES: &[&str] = &[
    "Kinerja baik, pertahankan.",
    "Perlu meningkatkan ketepatan waktu pelaporan.",
    "Sangat membantu rekan kerja dalam pelayanan.",
    "Disiplin kehadiran perlu ditingkatkan.",
    "Inisiatif tinggi dalam memperbaiki prosedur layanan.",
    "Target utama tercapai sesuai rencana.",
];
pub(super) const INNOVATIONS: &[(&str, &str)] = &[
    ("Antrean layanan daring melalui WhatsApp", "waktu tunggu rata-rata turun dari 60 menjadi 25 menit"),
    ("Jemput bola perekaman di kampung terpencil", "1.200 warga terlayani tanpa datang ke kantor"),
    ("Formulir permohonan elektronik", "permohonan diproses 2 hari, sebelumnya 7 hari"),
    ("Papan informasi alur layanan", "pertanyaan berulang di loket berkurang separuh"),
    ("Pengingat jadwal imunisasi lewat SMS", "cakupan imunisasi naik 8 poin"),
    ("Arsip digital dokumen kepegawaian", "pencarian berkas dari 30 menit menjadi 2 menit"),
];
pub(super) const COMMENTS_GOOD: &[&str] = &[
    "Pelayanan cepat dan ramah, terima kasih.",
    "Petugas sangat membantu dan menjelaskan dengan jelas.",
    "Prosesnya mudah, tidak perlu bolak-balik.",
    "Tempatnya bersih dan nyaman.",
];
pub(super) const COMMENTS_MIXED: &[&str] = &[
    "Mohon ditambah kursi di ruang tunggu.",
    "Informasi persyaratan sebaiknya ditempel di depan.",
    "Cukup baik, tapi antrean agak lama.",
    "Jam buka layanan mohon lebih pagi.",
];
pub(super) const COMMENTS_POOR: &[&str] = &[
    "Antrean sangat lama, petugas sedikit.",
    "Petugas kurang ramah.",
    "Sistem sering gangguan, harus datang lagi besok.",
    "Persyaratan berubah-ubah, membingungkan.",
    "Ruang tunggu panas dan sempit.",
];
pub(super) const TRAINING_TITLES: &[(DevelopmentForm, &str, u32)] = &[
    (DevelopmentForm::Pelatihan, "Pelatihan Pelayanan Prima", 5),
    (DevelopmentForm::Pelatihan, "Pelatihan Dasar Kepemimpinan Pengawas", 2),
    (DevelopmentForm::Workshop, "Workshop Penyusunan SKP dan Dialog Kinerja", 4),
    (DevelopmentForm::Seminar, "Seminar Transformasi Digital Pelayanan Publik", 3),
    (DevelopmentForm::Kursus, "Kursus Pengelolaan Arsip Dinamis", 2),
    (DevelopmentForm::ELearning, "E-Learning Manajemen ASN", 6),
    (DevelopmentForm::ELearning, "E-Learning Anti Korupsi", 4),
    (DevelopmentForm::PembelajaranJarakJauh, "Bimbingan Teknis Pengelolaan Keuangan Daerah (daring)", 3),
    (DevelopmentForm::Coaching, "Coaching Kinerja oleh Atasan Langsung", 3),
    (DevelopmentForm::BelajarMandiri, "Belajar Mandiri Literasi Data", 2),
    (DevelopmentForm::Magang, "Magang Pelayanan Terpadu di Kabupaten Tetangga", 1),
    (DevelopmentForm::Benchmarking, "Benchmarking Mal Pelayanan Publik", 1),
];
pub(super) const PROVIDERS: &[&str] = &[
    "BPSDM Provinsi Papua Barat",
    "Lembaga Administrasi Negara",
    "BKPSDM Kabupaten",
    "ASN Unggul (e-learning)",
    "Kementerian Dalam Negeri",
    "Kementerian Kesehatan",
];
/// JP of one activity (× 45 minutes = 45–1,800).
pub(super) const JP_CHOICES: &[u32] = &[1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40];
pub(super) const MENTORING_TOPICS: &[&str] = &[
    "Penyusunan rencana kerja",
    "Etika pelayanan publik",
    "Pengelolaan arsip",
    "Penggunaan aplikasi layanan",
    "Penyusunan laporan",
    "Komunikasi dengan masyarakat",
];
pub(super) const SANCTION_NOTES: &[(Sanction, &str)] = &[
    (Sanction::Ringan, "Teguran lisan: terlambat masuk kerja berulang"),
    (Sanction::Ringan, "Pernyataan tidak puas secara tertulis"),
    (Sanction::Sedang, "Pemotongan tunjangan kinerja: tidak masuk kerja tanpa keterangan 11 hari"),
    (Sanction::Sedang, "Penundaan kenaikan gaji berkala"),
    (Sanction::Berat, "Penurunan jabatan setingkat lebih rendah selama 12 bulan"),
    (Sanction::Berat, "Pembebasan dari jabatan menjadi pelaksana"),
];
