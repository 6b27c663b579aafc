//! One complete record of every kind, made the way a device makes it, with
//! fixed ids and clocks so the bytes are the same on every run. The schema
//! tests mutate them; the golden fixtures were saved from them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use prestasi_core::doc::{DocKind, Document, Record};
use prestasi_core::model::decision::AwardKind;
use prestasi_core::model::{
    Allowance, Appraisal, AppraisalStatus, Author, Award, BehaviourValue, Channel, DeviceId, DialogNote, DocId,
    Employee, Feedback, Innovation, Mentoring, MentoringSession, PositionKind, Role, SkpTarget, Training, Unit,
};
use prestasi_core::rules::credit::FunctionalLevel;
use prestasi_core::rules::development::DevelopmentForm;
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::{Predikat, Rating};
use prestasi_core::rules::rank::{Education, Rank};
use prestasi_core::rules::skm::Scores;

pub const STAFF: &str = "199307082019031090";
pub const BOSS: &str = "198802182010062056";
pub const REVIEWER: &str = "197507262005102812";
pub const DEVICE: &str = "0193a5f0-7c1e-7d2a-9b3c-4d5e6f708192";

pub fn nip(s: &str) -> Nip {
    Nip::parse(s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The device and person every sample is written by (an administrator, who
/// may write every kind).
pub fn author() -> Author {
    Author::new("admin:fixtures", DEVICE.parse::<DeviceId>().unwrap(), Role::Admin)
}

/// `(kind, id, save())` of one sample per kind, in [`DocKind::ALL`] order.
pub fn samples() -> Vec<(DocKind, DocId, Vec<u8>)> {
    DocKind::ALL.into_iter().map(sample).collect()
}

pub fn sample(kind: DocKind) -> (DocKind, DocId, Vec<u8>) {
    let random = |n: u8| format!("0193a5f0-0000-7000-8000-0000000000{n:02x}").parse::<DocId>().unwrap();
    let (id, bytes) = match kind {
        DocKind::Employee => (random(1), save(random(1), &employee())),
        DocKind::Unit => (random(2), save(random(2), &unit())),
        DocKind::Appraisal => {
            let a = appraisal();
            let id = DocId::for_appraisal(&a.employee_nip, &a.period);
            (id, save(id, &a))
        }
        DocKind::Feedback => (random(4), save(random(4), &feedback())),
        DocKind::Training => (random(5), save(random(5), &training())),
        DocKind::Mentoring => (random(6), save(random(6), &mentoring())),
        DocKind::Allowance => (random(7), save(random(7), &allowance())),
        DocKind::Award => (random(8), save(random(8), &award())),
    };
    (kind, id, bytes)
}

fn save<T: Record>(id: DocId, value: &T) -> Vec<u8> {
    let at = Utc.with_ymd_and_hms(2026, 9, 20, 8, 0, 0).unwrap();
    Document::create(id, value, &author(), at).unwrap().save()
}

pub fn appraisal() -> Appraisal {
    let mut a = Appraisal::new(nip(STAFF), "2026-Q3", "unit-0001", nip(BOSS)).unwrap();
    a.reviewer_nip = Some(nip(REVIEWER));
    a.targets.push(SkpTarget {
        id: "t1".into(),
        indicator: "Dokumen KTP-el tercetak".into(),
        target: 120.0,
        realisation: Some(126.5),
        unit: "dokumen".into(),
        main: true,
        rating: Some(Rating::DiAtasEkspektasi),
    });
    a.behaviour = BehaviourValue::ALL.into_iter().map(|v| (v, Rating::SesuaiEkspektasi)).collect();
    a.behaviour_notes = BTreeMap::from([(BehaviourValue::Kompeten, "Menguasai aplikasi SIAK.".to_string())]);
    a.hasil_kerja = Some(Rating::DiAtasEkspektasi);
    a.perilaku = Some(Rating::SesuaiEkspektasi);
    a.notes = "Target triwulan tercapai.".into();
    a.dialogues.push(DialogNote {
        id: "d1".into(),
        date: date(2026, 8, 14),
        author_nip: BOSS.into(),
        text: "Antrean pagi lebih cepat.".into(),
    });
    a.innovations.push(Innovation {
        id: "i1".into(),
        what: "Layanan jemput bola KTP-el".into(),
        date: date(2026, 7, 1),
        effect: "Permohonan diproses 2 hari, sebelumnya 7 hari.".into(),
    });
    a.status = AppraisalStatus::Submitted;
    a
}

pub fn feedback() -> Feedback {
    Feedback {
        unit_id: "unit-0001".into(),
        service: "Perekaman KTP-el".into(),
        scores: Scores::new([4, 3, 4, 4, 3, 4, 4, 3, 4]).unwrap(),
        minutes_waited: 25,
        comment: "Petugas ramah.".into(),
        channel: Channel::Kiosk,
        submitted_at: Utc.with_ymd_and_hms(2026, 9, 20, 9, 15, 0).unwrap(),
        officer_nip: Some(nip(STAFF)),
    }
}

pub fn employee() -> Employee {
    Employee {
        nip: nip(STAFF),
        name: "Dewi Lestari".into(),
        rank: Some(Rank::ALL[8]),
        rank_since: Some("2023-04-01".into()),
        education: Some(Education::S1),
        position: PositionKind::Fungsional(FunctionalLevel::AhliPertama),
        position_title: "Pranata Komputer Ahli Pertama".into(),
        unit_id: "unit-0001".into(),
        superior_nip: Some(nip(BOSS)),
        active: true,
    }
}

pub fn unit() -> Unit {
    Unit {
        id: "unit-0001".into(),
        agency_id: "disdukcapil".into(),
        agency_name: "Dinas Kependudukan dan Pencatatan Sipil".into(),
        name: "Bidang Pelayanan Pendaftaran Penduduk".into(),
        head_nip: Some(nip(BOSS)),
    }
}

pub fn training() -> Training {
    Training {
        employee_nip: nip(STAFF),
        form: DevelopmentForm::Pelatihan,
        title: "Pelatihan Pelayanan Prima".into(),
        provider: "BPSDM Provinsi Papua Barat".into(),
        start: date(2026, 5, 4),
        end: date(2026, 5, 6),
        minutes: 24 * 45,
        programme_id: None,
    }
}

pub fn mentoring() -> Mentoring {
    Mentoring {
        mentor_nip: nip(BOSS),
        mentee_nip: nip(STAFF),
        unit_id: "unit-0001".into(),
        start: date(2026, 6, 1),
        active: true,
        sessions: vec![MentoringSession {
            id: "s1".into(),
            date: date(2026, 6, 8),
            minutes: 90,
            topic: "Menyusun SKP".into(),
            notes: "Indikator dibuat terukur.".into(),
        }],
    }
}

pub fn allowance() -> Allowance {
    Allowance {
        employee_nip: nip(STAFF),
        period: "2026-Q3".into(),
        predikat: Predikat::Baik,
        percent: 100.0,
        decided_on: date(2026, 10, 5),
    }
}

pub fn award() -> Award {
    Award {
        employee_nip: nip(STAFF),
        period: "2026-Q3".into(),
        kind: AwardKind::Certificate,
        reason: "Predikat Sangat Baik dua periode berturut-turut.".into(),
        decided_on: date(2026, 10, 5),
    }
}
