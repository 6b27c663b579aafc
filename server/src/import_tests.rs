#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;

use super::*;

const COLUMNS: [&str; 14] = [
    "NIP",
    "NAMA",
    "UNIT_KERJA_ID",
    "UNIT_KERJA",
    "INSTANSI_ID",
    "INSTANSI",
    "JENIS_JABATAN",
    "JABATAN",
    "GOLONGAN",
    "TMT_GOLONGAN",
    "PENDIDIKAN",
    "JENJANG_JF",
    "NIP_ATASAN",
    "STATUS",
];
const BASE: [&str; 14] = [
    "198001012005011001",
    "Andi",
    "U01",
    "Bidang Pelayanan",
    "A01",
    "Disdukcapil",
    "pelaksana",
    "Pengadministrasi Umum",
    "II/c",
    "",
    "SMA",
    "",
    "",
    "",
];
const SITI: &str = "198802182010062056";
const BUDI: &str = "199307082019031090";
const HENDRA: &str = "197507262005102812";
/// Structurally valid NIPs for rows that must not clash.
const OTHER: [&str; 6] = [
    "198102022006021002",
    "198203032007031003",
    "198304042008041004",
    "198505052009052005",
    "198606062010062006",
    "198707072011071007",
];

/// `BASE` with some cells changed, `,`-separated.
fn row(changes: &[(&str, &str)]) -> String {
    let mut cells = BASE.map(String::from);
    for (column, value) in changes {
        cells[COLUMNS.iter().position(|c| c == column).unwrap()] = value.to_string();
    }
    cells.join(",")
}

fn file(rows: &[String]) -> String {
    let mut text = COLUMNS.join(",");
    for r in rows {
        text.push('\n');
        text.push_str(r);
    }
    text.push('\n');
    text
}

fn parse(text: &str) -> ImportedRoster {
    parse_roster(text.as_bytes()).unwrap()
}

fn where_(roster: &ImportedRoster) -> Vec<(usize, &str)> {
    roster.errors.iter().map(|e| (e.row, e.field.as_str())).collect()
}

fn nips(roster: &ImportedRoster) -> Vec<&str> {
    roster.employees.iter().map(|e| e.nip.as_str()).collect()
}

#[test]
fn clean_file_imports_every_row_and_unit() {
    let text = format!(
        "{}\n\
         {SITI},Siti Aminah,U01,Bidang Pelayanan,A01,Disdukcapil,Administrator,Kepala Bidang,III/d,2018-04-01,S2,,{HENDRA},\n\
         {BUDI},\"Budi  Santoso, S.Kom.\",U01,Bidang Pelayanan,A01,Disdukcapil,fungsional,Pranata Komputer,III/a,01-03-2019,S1,Ahli Pertama,{SITI},aktif\n\
         {HENDRA},Dr. Hendra,U02,Sekretariat,A01,Disdukcapil,JPT,Kepala Dinas,IV/c,,,,,\n",
        COLUMNS.join(",")
    );
    let roster = parse(&text);
    assert_eq!(roster.errors, []);
    assert_eq!(nips(&roster), [SITI, BUDI, HENDRA]);
    let unit = |id: &str, name: &str| Unit {
        id: id.into(),
        agency_id: "A01".into(),
        agency_name: "Disdukcapil".into(),
        name: name.into(),
        head_nip: None,
    };
    assert_eq!(roster.units, [unit("U01", "Bidang Pelayanan"), unit("U02", "Sekretariat")]);

    let budi = &roster.employees[1];
    assert_eq!(budi.name, "Budi Santoso, S.Kom.");
    assert_eq!(budi.rank, Some(Rank::IIIa));
    assert_eq!(budi.rank_since.as_deref(), Some("2019-03-01"));
    assert_eq!(budi.education, Some(Education::S1));
    assert_eq!(budi.position, PositionKind::Fungsional(FunctionalLevel::AhliPertama));
    assert_eq!(budi.position_title, "Pranata Komputer");
    assert_eq!(budi.unit_id, "U01");
    assert_eq!(budi.superior_nip.as_ref().map(Nip::as_str), Some(SITI));
    assert!(budi.active);

    // Hendra is Siti's superior and in the file; Hendra's own superior is unknown.
    assert_eq!(roster.employees[0].position, PositionKind::Administrator);
    assert_eq!(roster.employees[0].superior_nip.as_ref().map(Nip::as_str), Some(HENDRA));
    let hendra = &roster.employees[2];
    assert_eq!(
        (hendra.position, hendra.rank, hendra.rank_since.as_deref()),
        (PositionKind::Jpt, Some(Rank::IVc), None)
    );
    assert_eq!((hendra.education, hendra.superior_nip.as_ref()), (None, None));
    for e in &roster.employees {
        e.validate().unwrap();
    }
}

#[test]
fn semicolons_bom_lowercase_headers_and_blank_lines() {
    let text = format!(
        "\u{feff} nip ;Nama;unit kerja id;Unit-Kerja;instansi_id;Instansi;jenis_jabatan;jabatan;golongan;Kolom Lain\r\n\
         {BUDI};Budi Santoso, S.Kom.;U01;Bidang Pelayanan;A01;Disdukcapil;Pelaksana;\"Analis; Data\";iii / b;x\r\n\
         \r\n\
         {SITI};Siti;U01;Bidang Pelayanan;A01;Disdukcapil;Pengawas;Kepala Seksi\r\n\
         \r\n\
         ;;;;\r\n\
         \r\n"
    );
    let roster = parse(&text);
    assert_eq!(roster.errors, []);
    assert_eq!(nips(&roster), [BUDI, SITI]);
    assert_eq!(roster.employees[0].name, "Budi Santoso, S.Kom.");
    assert_eq!(roster.employees[0].position_title, "Analis; Data");
    assert_eq!(roster.employees[0].rank, Some(Rank::IIIb));
    assert_eq!(roster.employees[1].position, PositionKind::Pengawas);
    assert_eq!(roster.units.len(), 1);
}

#[test]
fn bad_rows_are_reported_with_line_and_column_and_skipped() {
    let rows = [
        row(&[("NIP", SITI)]),                                      // 2 ok
        row(&[("NIP", "19930708201903109")]),                       // 3 NIP has 17 digits
        row(&[("NIP", OTHER[0]), ("JENIS_JABATAN", "Struktural")]), // 4
        row(&[("NIP", OTHER[1]), ("JENIS_JABATAN", "Fungsional")]), // 5 no JENJANG_JF
        row(&[("NIP", OTHER[2]), ("GOLONGAN", "III/e")]),           // 6
        row(&[("NIP", OTHER[3]), ("TMT_GOLONGAN", "2019-02-30")]),  // 7
        row(&[("NIP", SITI), ("NAMA", "Siti Lagi")]),               // 8 duplicate of line 2
        row(&[("NIP", OTHER[4]), ("NAMA", "  ")]),                  // 9
        row(&[("NIP", HENDRA), ("JENIS_JABATAN", "JPT Pratama")]),  // 10 ok
    ];
    let roster = parse(&file(&rows));
    assert_eq!(
        where_(&roster),
        [
            (3, "NIP"),
            (4, "JENIS_JABATAN"),
            (5, "JENJANG_JF"),
            (6, "GOLONGAN"),
            (7, "TMT_GOLONGAN"),
            (8, "NIP"),
            (9, "NAMA")
        ]
    );
    assert_eq!(nips(&roster), [SITI, HENDRA]);
    let reasons: Vec<&str> = roster.errors.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons[0], "NIP pada NIP tidak sah: NIP harus 18 angka, tertulis 17.");
    assert!(reasons[1].starts_with("Isian JENIS_JABATAN tidak dikenal: \"Struktural\". Pilihan: pelaksana,"));
    assert_eq!(reasons[2], "Isian JENJANG_JF tidak memenuhi aturan: wajib diisi untuk jabatan fungsional.");
    assert!(reasons[3].starts_with("Isian GOLONGAN tidak dikenal: \"III/e\""));
    assert_eq!(reasons[4], "Tanggal pada TMT_GOLONGAN tidak sah: \"2019-02-30\" (format TTTT-BB-HH).");
    assert_eq!(reasons[5], "Isian NIP tidak memenuhi aturan: NIP ini sudah tercantum di baris 2.");
    assert_eq!(reasons[6], "Isian NAMA wajib diisi.");
    assert_eq!(roster.errors[0].nip.as_deref(), Some("19930708201903109"));
    assert_eq!(roster.errors[5].nip.as_deref(), Some(SITI));
}

#[test]
fn every_problem_of_a_row_is_reported_at_once() {
    let rows = [row(&[("NIP", ""), ("GOLONGAN", "V/a"), ("PENDIDIKAN", "SMA/SLTA"), ("STATUS", "cuti")])];
    let roster = parse(&file(&rows));
    assert_eq!(where_(&roster), [(2, "NIP"), (2, "GOLONGAN"), (2, "PENDIDIKAN"), (2, "STATUS")]);
    assert_eq!(roster.errors[0].nip, None);
    assert!(roster.employees.is_empty() && roster.units.is_empty());
}

#[test]
fn a_duplicate_is_refused_even_when_the_first_occurrence_was_refused() {
    let rows = [row(&[("GOLONGAN", "X")]), row(&[])];
    assert_eq!(where_(&parse(&file(&rows))), [(2, "GOLONGAN"), (3, "NIP")]);
}

#[test]
fn units_take_their_first_imported_row_and_refuse_disagreement() {
    let rows = [
        row(&[("NIP", "123"), ("UNIT_KERJA_ID", "U09"), ("UNIT_KERJA", "Ditolak")]), // 2 refused: defines nothing
        row(&[("NIP", OTHER[0]), ("UNIT_KERJA_ID", "U09"), ("UNIT_KERJA", "Gudang")]), // 3 defines U09
        row(&[("NIP", OTHER[1]), ("UNIT_KERJA_ID", "U09"), ("UNIT_KERJA", "Gudang Baru")]), // 4
        row(&[("NIP", OTHER[2]), ("UNIT_KERJA_ID", "U09"), ("UNIT_KERJA", "Gudang"), ("INSTANSI_ID", "A02")]), // 5
        row(&[("NIP", OTHER[3]), ("UNIT_KERJA_ID", "U09"), ("UNIT_KERJA", " Gudang ")]), // 6 ok
    ];
    let roster = parse(&file(&rows));
    assert_eq!(where_(&roster), [(2, "NIP"), (4, "UNIT_KERJA"), (5, "INSTANSI_ID")]);
    assert_eq!(
        roster.errors[1].reason,
        "Isian UNIT_KERJA tidak memenuhi aturan: unit kerja U09 di baris 3 tercantum dengan UNIT_KERJA \"Gudang\"."
    );
    assert_eq!(nips(&roster), [OTHER[0], OTHER[3]]);
    assert_eq!(roster.units.len(), 1);
    assert_eq!(roster.units[0].name, "Gudang");
}

#[test]
fn nips_as_spreadsheets_write_them() {
    let rows = [
        row(&[("NIP", &format!("'{BUDI}")), ("NIP_ATASAN", &format!("'{SITI}"))]),
        row(&[("NIP", "1,99307E+17")]),
        row(&[("NIP", "19930708 201903 1 090")]),
    ];
    let rows = [rows[0].clone(), rows[1].replace("1,99307E+17", "\"1,99307E+17\""), rows[2].clone()];
    let roster = parse(&file(&rows));
    assert_eq!(nips(&roster), [BUDI]);
    assert_eq!(roster.employees[0].superior_nip.as_ref().map(Nip::as_str), Some(SITI));
    assert_eq!(where_(&roster), [(3, "NIP"), (4, "NIP")]);
    assert!(roster.errors[0].reason.contains("angka ilmiah"), "{}", roster.errors[0].reason);
    assert_eq!(roster.errors[1].reason, "NIP pada NIP tidak sah: NIP hanya boleh berisi angka.");
}

#[test]
fn superiors() {
    let rows = [
        row(&[("NIP", OTHER[0]), ("NIP_ATASAN", OTHER[0])]), // 2 own superior
        row(&[("NIP", OTHER[1]), ("NIP_ATASAN", "19880218201006205")]), // 3 malformed
        row(&[("NIP", OTHER[2]), ("NIP_ATASAN", "198802182010063056")]), // 4 gender digit 3
        row(&[("NIP", OTHER[3]), ("NIP_ATASAN", HENDRA)]),   // 5 not in the file: fine
    ];
    let roster = parse(&file(&rows));
    assert_eq!(where_(&roster), [(2, "NIP_ATASAN"), (3, "NIP_ATASAN"), (4, "NIP_ATASAN")]);
    assert_eq!(
        roster.errors[0].reason,
        "Isian NIP_ATASAN tidak memenuhi aturan: tidak boleh sama dengan NIP pegawai itu sendiri."
    );
    assert_eq!(nips(&roster), [OTHER[3]]);
}

#[test]
fn accepted_spellings() {
    type Case = (&'static [(&'static str, &'static str)], fn(&Employee) -> bool);
    let cases: [Case; 12] = [
        (&[("STATUS", "Pensiun")], |e| !e.active),
        (&[("STATUS", "Tidak Aktif")], |e| !e.active),
        (&[("STATUS", "AKTIF")], |e| e.active),
        (&[("PENDIDIKAN", "D-III")], |e| e.education == Some(Education::D3)),
        (&[("PENDIDIKAN", "slta")], |e| e.education == Some(Education::SMA)),
        (&[("JENIS_JABATAN", "Jabatan Pimpinan Tinggi Madya")], |e| e.position == PositionKind::Jpt),
        (&[("JENIS_JABATAN", "Fungsional Umum")], |e| e.position == PositionKind::Pelaksana),
        (&[("JENIS_JABATAN", "FUNGSIONAL"), ("JENJANG_JF", "ahli  muda")], |e| {
            e.position == PositionKind::Fungsional(FunctionalLevel::AhliMuda)
        }),
        (&[("JENIS_JABATAN", "Fungsional Tertentu"), ("JENJANG_JF", "Terampil")], |e| {
            e.position == PositionKind::Fungsional(FunctionalLevel::Terampil)
        }),
        (&[("GOLONGAN", "iv/E")], |e| e.rank == Some(Rank::IVe)),
        (&[("TMT_GOLONGAN", "05/03/2019")], |e| e.rank_since.as_deref() == Some("2019-03-05")),
        (&[("TMT_GOLONGAN", "2019-3-5"), ("GOLONGAN", "")], |e| {
            e.rank_since.as_deref() == Some("2019-03-05") && e.rank.is_none()
        }),
    ];
    for (changes, ok) in cases {
        let roster = parse(&file(&[row(changes)]));
        assert_eq!(roster.errors, [], "{changes:?}");
        assert!(ok(&roster.employees[0]), "{changes:?}");
    }
    for date in ["1800-01-01", "01-01-19", "2019/13/01", "2019-01-01T00:00", "+2019-01-01", "1.1.2019"] {
        let roster = parse(&file(&[row(&[("TMT_GOLONGAN", date)])]));
        assert_eq!(where_(&roster), [(2, "TMT_GOLONGAN")], "{date}");
    }
    let roster = parse(&file(&[row(&[("JENIS_JABATAN", "Pengawas"), ("JENJANG_JF", "bukan jenjang")])]));
    assert_eq!(roster.errors, [], "JENJANG_JF is ignored outside functional positions");
}

#[test]
fn line_shape() {
    let eight = |nip: &str| row(&[("NIP", nip)]).split(',').take(8).collect::<Vec<_>>().join(",");
    let rows = [
        row(&[("NAMA", "Andi, S.E.")]),            // 2 unquoted comma: one cell too many
        format!("{},", row(&[("NIP", OTHER[0])])), // 3 even an empty extra cell
        eight(OTHER[1]),                           // 4 optional cells missing: fine
        eight(OTHER[2]).rsplit_once(',').unwrap().0.to_string(), // 5 JABATAN missing
    ];
    let roster = parse(&file(&rows));
    assert_eq!(where_(&roster), [(2, ROW_FIELD), (3, ROW_FIELD), (5, "JABATAN")]);
    assert_eq!(
        roster.errors[0].reason,
        "Isian (baris) tidak memenuhi aturan: baris berisi 15 kolom, sedangkan judul 14 kolom; \
         beri tanda kutip pada isian yang memuat koma atau titik koma."
    );
    assert_eq!(nips(&roster), [OTHER[1]]);
}

#[test]
fn line_numbers_count_blank_lines_and_quoted_line_breaks() {
    let multi_line = row(&[("NIP", OTHER[0]), ("JABATAN", "\"Kepala\nSeksi\"")]);
    let text = format!("{}\n\n{multi_line}\n{}\n", COLUMNS.join(","), row(&[("NIP", "x")]));
    let roster = parse(&text);
    assert_eq!(where_(&roster), [(5, "NIP")]);
    assert_eq!(roster.employees[0].position_title, "Kepala Seksi");
}

#[test]
fn a_cell_that_is_not_utf8_refuses_its_row_only() {
    let mut bytes = file(&[row(&[("NAMA", "Bud#i")]), row(&[("NIP", OTHER[0])])]).into_bytes();
    let at = bytes.iter().position(|&b| b == b'#').unwrap();
    bytes[at] = 0xFF;
    let roster = parse_roster(bytes.as_slice()).unwrap();
    assert_eq!(where_(&roster), [(2, "NAMA")]);
    assert!(roster.errors[0].reason.contains("UTF-8"));
    assert_eq!(nips(&roster), [OTHER[0]]);
}

#[test]
fn file_level_problems() {
    let without = |column: &str| COLUMNS.iter().filter(|c| **c != column).copied().collect::<Vec<_>>().join(",");
    match parse_roster(without("JABATAN").as_bytes()) {
        Err(e @ ImportError::MissingColumn { .. }) => {
            assert!(matches!(&e, ImportError::MissingColumn { column } if column == "JABATAN"));
            assert!(e.user_message().starts_with("Kolom wajib JABATAN tidak ditemukan"));
        }
        other => panic!("{other:?}"),
    }
    // Optional columns may be left out.
    assert!(parse_roster(without("GOLONGAN").as_bytes()).unwrap().employees.is_empty());
    let tabs = COLUMNS.join("\t");
    assert!(matches!(parse_roster(tabs.as_bytes()), Err(ImportError::MissingColumn { column }) if column == "NIP"));
    // A line of bare separators before the header neither counts as header nor decides the separator.
    let after = format!(";;;;\n{}\n{}", COLUMNS.join(","), row(&[]));
    assert_eq!(nips(&parse(&after)), [BASE[0]]);
    for empty in ["", "\u{feff}", "\n\r\n  \n", ";;\n,,\n"] {
        assert!(matches!(parse_roster(empty.as_bytes()), Err(ImportError::Empty)), "{empty:?}");
    }
    let twice = format!("{},nip", COLUMNS.join(","));
    assert!(matches!(parse_roster(twice.as_bytes()), Err(ImportError::DuplicateColumn { column }) if column == "NIP"));
}

#[test]
fn errors_csv_text() {
    let error = |row: usize, nip: Option<&str>, field: &str, reason: &str| RowError {
        row,
        nip: nip.map(String::from),
        field: field.into(),
        reason: reason.into(),
    };
    let errors = [
        error(3, Some("123"), "NIP", "NIP pada NIP tidak sah: NIP harus 18 angka, tertulis 3."),
        error(5, None, "NAMA", "Isian NAMA wajib diisi."),
        error(7, Some("=1+1"), "GOLONGAN", "Isian GOLONGAN tidak dikenal: \"X\"; lihat I/a."),
    ];
    assert_eq!(
        errors_csv(&errors),
        "row,nip,field,reason\n\
         3,123,NIP,\"NIP pada NIP tidak sah: NIP harus 18 angka, tertulis 3.\"\n\
         5,,NAMA,Isian NAMA wajib diisi.\n\
         7,'=1+1,GOLONGAN,\"Isian GOLONGAN tidak dikenal: \"\"X\"\"; lihat I/a.\"\n"
    );
    assert_eq!(errors_csv(&[]), "row,nip,field,reason\n");

    // A real report reads back as CSV, one record per error.
    let roster = parse(&file(&[row(&[("NIP", "\"1,2\"\"3\""), ("NAMA", "")])]));
    let report = errors_csv(&roster.errors);
    let back: Vec<csv::StringRecord> =
        csv::Reader::from_reader(report.as_bytes()).records().collect::<Result<_, _>>().unwrap();
    assert_eq!(back.len(), roster.errors.len());
    assert_eq!(&back[0][1], "1,2\"3");
    assert_eq!(&back[1][3], roster.errors[1].reason);
}

/// Plausible and broken values per column, for the property test.
const CANDIDATES: [&[&str]; 14] = [
    &[SITI, BUDI, HENDRA, "198001012005011001", "123", "", "19930708201903109x", "199302302019031090"],
    &["Andi", "", " Siti  Aminah "],
    &["U01", "U02", ""],
    &["Bidang A", "Bidang B", ""],
    &["A01", "A02", ""],
    &["Dinas", "Badan", ""],
    &["pelaksana", "Fungsional", "JPT", "pengawas", "x", ""],
    &["Staf", ""],
    &["III/a", "iv/e", "V/z", ""],
    &["2019-03-01", "31-12-2020", "2019-02-30", "kemarin", ""],
    &["S1", "D-III", "SLTA", "S9", ""],
    &["Ahli Pertama", "Mahir", "Ahli", ""],
    &[SITI, HENDRA, "1", ""],
    &["aktif", "pensiun", "cuti", ""],
];

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        if let Ok(roster) = parse_roster(bytes.as_slice()) {
            let _ = errors_csv(&roster.errors);
        }
    }

    #[test]
    fn random_bytes_after_a_header_never_panic(
        bytes in proptest::collection::vec(prop_oneof![any::<u8>(), Just(b','), Just(b'"'), Just(b'\n')], 0..1500),
    ) {
        let mut input = format!("{}\n", COLUMNS.join(",")).into_bytes();
        input.extend(bytes);
        let roster = parse_roster(input.as_slice()).unwrap();
        let _ = errors_csv(&roster.errors);
    }

    #[test]
    fn every_line_is_imported_or_reported(picks in proptest::collection::vec(proptest::collection::vec(0usize..64, 14), 0..25)) {
        let lines: Vec<Vec<&str>> = picks
            .iter()
            .map(|pick| pick.iter().zip(CANDIDATES).map(|(i, options)| options[i % options.len()]).collect())
            .collect();
        let text = format!("{}\n{}", COLUMNS.join(","), lines.iter().map(|l| l.join(",")).collect::<Vec<_>>().join("\n"));
        let roster = parse(&text);
        let data_lines: Vec<usize> =
            lines.iter().enumerate().filter(|(_, l)| l.iter().any(|c| !c.trim().is_empty())).map(|(i, _)| i + 2).collect();
        let mut refused: Vec<usize> = roster.errors.iter().map(|e| e.row).collect();
        prop_assert!(refused.windows(2).all(|w| w[0] <= w[1]));
        refused.dedup();
        prop_assert_eq!(roster.employees.len() + refused.len(), data_lines.len());
        prop_assert!(refused.iter().all(|r| data_lines.contains(r)));
        for employee in &roster.employees {
            prop_assert!(employee.validate().is_ok());
            prop_assert!(roster.units.iter().any(|u| u.id == employee.unit_id));
        }
        let mut ids: Vec<&str> = roster.units.iter().map(|u| u.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), roster.units.len());
        let mut seen: Vec<&str> = nips(&roster);
        seen.sort_unstable();
        seen.dedup();
        prop_assert_eq!(seen.len(), roster.employees.len());
    }
}
