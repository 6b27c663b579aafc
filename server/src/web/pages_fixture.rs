//! A small regency for the page tests, stored through the bulk write path
//! (`admin::seed`) like any seeded history: real, signed documents, each
//! dated when it arrived. Two agencies with five units, 42 employees (one
//! no longer active), appraisals of 2025-S2, 2026-S1 and 2026-S2 (one
//! employee not yet appraised in 2026-S2), 420 citizen feedback in office
//! hours from July 2025 to December 2026, trainings, mentoring pairs and
//! HR's inputs. Deterministic; the tests compute what a page must show
//! from the [`Data`] they loaded.
//!
//! Shaped for what the pages show: the head of [`LENIENT_UNIT`] rates
//! everyone Sangat Baik (a lenient rater for the calibration page), some
//! people are below 20 JP of training in 2026 and some above, most have a
//! potential score.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use chrono::{DateTime, Datelike, Days, NaiveDate, Weekday};
use prestasi_core::model::{
    Appraisal, AppraisalStatus, BehaviourValue, Channel, DocId, Employee, Feedback, Mentoring, MentoringSession,
    Period, PositionKind, SkpTarget, Training, Unit,
};
use prestasi_core::rules::{DevelopmentForm, Education, FunctionalLevel, Nip, Rank, Rating, Scores, UnitRating};

use crate::admin::{self, Seed};
use crate::storage::{PotentialRow, Record, SanctionRow, Storage, UnitPeriodRow};

pub(super) const PERIODS: [&str; 3] = ["2025-S2", "2026-S1", "2026-S2"];
/// The unit whose head rates everyone Sangat Baik.
pub(super) const LENIENT_UNIT: &str = "unit-0002";
/// The HR officer named on the seeded documents.
pub(super) const OFFICER: &str = "arsip";

/// Everything the fixture stores, in load order.
#[derive(Debug, Default)]
pub(super) struct Data {
    pub units: Vec<Unit>,
    pub employees: Vec<Employee>,
    pub appraisals: Vec<(DocId, Appraisal)>,
    /// With its arrival time (server clock, ms).
    pub feedback: Vec<(DocId, Feedback, i64)>,
    pub trainings: Vec<(DocId, Training)>,
    pub mentoring: Vec<(DocId, Mentoring)>,
    pub unit_periods: Vec<UnitPeriodRow>,
    pub potentials: Vec<PotentialRow>,
    pub sanctions: Vec<SanctionRow>,
}

const UNITS: [(&str, &str, &str, &str); 5] = [
    ("unit-0001", "opd-01", "Dinas Kesehatan", "Sekretariat Dinas Kesehatan"),
    ("unit-0002", "opd-01", "Dinas Kesehatan", "Puskesmas Amban"),
    ("unit-0003", "opd-01", "Dinas Kesehatan", "Puskesmas Sanggeng"),
    ("unit-0004", "opd-02", "Dinas Kependudukan dan Pencatatan Sipil", "Sekretariat Disdukcapil"),
    ("unit-0005", "opd-02", "Dinas Kependudukan dan Pencatatan Sipil", "Bidang Pelayanan Pendaftaran Penduduk"),
];
/// Staff under each unit's head.
const STAFF: [usize; 5] = [7, 9, 8, 6, 7];
const SERVICES: [&str; 5] =
    ["Layanan administrasi", "Pemeriksaan umum", "Imunisasi", "Legalisasi dokumen", "Perekaman KTP-el"];
const INDICATORS: [(&str, &str); 4] = [
    ("Laporan kegiatan tepat waktu", "laporan"),
    ("Persentase layanan sesuai SOP", "%"),
    ("Dokumen yang diselesaikan", "dokumen"),
    ("Kegiatan sosialisasi", "kegiatan"),
];
const COMMENTS: [&str; 4] =
    ["Pelayanan cepat dan ramah.", "Antrean terlalu lama.", "Petugas membantu dengan sabar.", "Ruang tunggu panas."];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// `minutes` after midnight of `d` in WIB (UTC+7), as server-clock ms.
fn wib(d: NaiveDate, minutes: i64) -> i64 {
    d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis() - 7 * 3_600_000 + minutes * 60_000
}

fn nip(i: usize, birth_year: i32) -> Nip {
    let digits = format!(
        "{birth_year}{:02}{:02}{}{:02}{}{:03}",
        i % 12 + 1,
        i % 28 + 1,
        birth_year + 24 + (i % 5) as i32,
        i % 12 + 1,
        i % 2 + 1,
        i + 1
    );
    Nip::parse(&digits).unwrap()
}

/// A predikat's ratings (hasil kerja, perilaku): Sangat Baik, Baik, Butuh
/// Perbaikan, Kurang.
fn grade(g: usize) -> (Rating, Rating) {
    use Rating::*;
    match g {
        0 => (DiAtasEkspektasi, DiAtasEkspektasi),
        1 => (SesuaiEkspektasi, SesuaiEkspektasi),
        2 => (DiBawahEkspektasi, SesuaiEkspektasi),
        _ => (SesuaiEkspektasi, DiBawahEkspektasi),
    }
}

pub(super) fn data() -> Data {
    let mut d = Data::default();
    // The roster: per unit its head, then its staff.
    let mut heads = Vec::new();
    for (u, (id, agency_id, agency_name, name)) in UNITS.iter().enumerate() {
        let i = d.employees.len();
        let agency_head = heads.iter().find(|(a, _)| a == agency_id).map(|(_, n): &(&str, Nip)| n.clone());
        let head = Employee {
            nip: nip(i, 1970 + u as i32),
            name: format!("Kepala {name}"),
            rank: Some(if agency_head.is_none() { Rank::IVc } else { Rank::IVa }),
            rank_since: Some("2021-04-01".into()),
            education: Some(Education::S2),
            position: if agency_head.is_none() { PositionKind::Jpt } else { PositionKind::Administrator },
            position_title: format!("Kepala {name}"),
            unit_id: (*id).into(),
            superior_nip: agency_head.clone(),
            active: true,
        };
        if agency_head.is_none() {
            heads.push((*agency_id, head.nip.clone()));
        }
        d.units.push(Unit {
            id: (*id).into(),
            agency_id: (*agency_id).into(),
            agency_name: (*agency_name).into(),
            name: (*name).into(),
            head_nip: Some(head.nip.clone()),
        });
        let head_nip = head.nip.clone();
        d.employees.push(head);
        for s in 0..STAFF[u] {
            let i = d.employees.len();
            let (position, title) = match s % 4 {
                0 => (PositionKind::Pengawas, "Kepala Seksi Pelayanan".to_string()),
                1 => (PositionKind::Fungsional(FunctionalLevel::AhliPertama), "Analis Kebijakan Ahli Pertama".into()),
                _ => (PositionKind::Pelaksana, "Pengadministrasi Perkantoran".into()),
            };
            d.employees.push(Employee {
                nip: nip(i, 1975 + (i % 20) as i32),
                name: format!("Pegawai {} {}", u + 1, s + 1),
                rank: Some([Rank::IIb, Rank::IIc, Rank::IIIa, Rank::IIIb, Rank::IIIc][i % 5]),
                rank_since: Some(format!("{}-10-01", 2018 + i % 6)),
                education: Some([Education::SMA, Education::D3, Education::S1][i % 3]),
                position,
                position_title: title,
                unit_id: (*id).into(),
                superior_nip: Some(head_nip.clone()),
                // One has retired.
                active: !(u == 2 && s == STAFF[2] - 1),
            });
        }
    }
    let by_nip = |n: &Nip| d.employees.iter().find(|e| &e.nip == n).cloned();
    // The one not yet appraised in 2026-S2: the last of the last unit.
    let waiting = d.employees.last().map(|e| e.nip.clone()).unwrap();

    for (k, code) in PERIODS.iter().enumerate() {
        let last = k + 1 == PERIODS.len();
        for (i, e) in d.employees.iter().enumerate() {
            let Some(boss) = e.superior_nip.clone().filter(|_| e.active) else { continue };
            if last && e.nip == waiting {
                continue;
            }
            let reviewer = by_nip(&boss).and_then(|b| b.superior_nip);
            let mut a = Appraisal::new(e.nip.clone(), code, &e.unit_id, boss.clone()).unwrap();
            a.reviewer_nip = reviewer;
            a.status = match (last, i % 9, i % 3) {
                (false, 0, _) => AppraisalStatus::Reviewed,
                (false, _, _) => AppraisalStatus::Locked,
                (true, _, 0) => AppraisalStatus::Draft,
                (true, _, 1) => AppraisalStatus::Submitted,
                (true, _, _) => AppraisalStatus::Reviewed,
            };
            let lenient = d.units.iter().any(|u| u.id == LENIENT_UNIT && u.head_nip.as_ref() == Some(&boss));
            let g = if lenient {
                0
            } else {
                match (i * 7 + k * 3) % 10 {
                    0..=6 => 1,
                    7 | 8 => 2,
                    _ => 0,
                }
            };
            let g = if g == 2 && i % 4 == 0 { 3 } else { g };
            let (hasil, perilaku) = grade(g);
            let complete = a.status != AppraisalStatus::Draft;
            for (t, (indicator, unit)) in INDICATORS.iter().enumerate().take(3 + i % 2) {
                let mut target = SkpTarget::new(indicator, 10.0 + (i + t) as f64, unit, t == 0).unwrap();
                if complete {
                    target.realisation = Some(9.0 + (i + t + k) as f64);
                    target.rating = Some(hasil);
                }
                a.targets.push(target);
            }
            if complete {
                for v in BehaviourValue::ALL {
                    a.behaviour.insert(v, perilaku);
                }
                a.hasil_kerja = Some(hasil);
                a.perilaku = Some(perilaku);
                a.notes = "Kinerja sesuai rencana kerja.".into();
            }
            a.validate().unwrap();
            d.appraisals.push((DocId::for_appraisal(&e.nip, code), a));
        }
    }

    // Citizen feedback, in office hours (Monday–Friday 08:00–16:00 WIB).
    let first = day(2025, 7, 1);
    let span = (day(2026, 12, 31) - first).num_days() as usize;
    let n = 420;
    for i in 0..n {
        let mut date = first.checked_add_days(Days::new((i * span / n) as u64)).unwrap();
        while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            date = date.succ_opt().unwrap();
        }
        let at = wib(date, 8 * 60 + (i * 37 % 480) as i64);
        let u = i % UNITS.len();
        let unit = &d.units[u];
        let staff: Vec<&Employee> =
            d.employees.iter().filter(|e| e.unit_id == unit.id && e.active && e.superior_nip.is_some()).collect();
        let base = [3u8, 3, 4, 2, 3][u];
        let mut scores = [0u8; 9];
        for (j, s) in scores.iter_mut().enumerate() {
            *s = (base + ((i + j) % 3) as u8).saturating_sub(1).clamp(1, 4);
        }
        let f = Feedback {
            unit_id: unit.id.clone(),
            service: SERVICES[u].into(),
            scores: Scores::new(scores).unwrap(),
            minutes_waited: (i * 13 % 60) as u32 + 5 * u as u32,
            comment: if i % 4 == 0 { COMMENTS[i / 4 % COMMENTS.len()].into() } else { String::new() },
            channel: [Channel::Kiosk, Channel::Web, Channel::Kiosk][i % 3],
            submitted_at: DateTime::from_timestamp_millis(at).unwrap(),
            officer_nip: (i % 2 == 0).then(|| staff[i / 2 % staff.len()].nip.clone()),
        };
        f.validate().unwrap();
        d.feedback.push((DocId::derived(&format!("fixture/feedback/{i}")), f, at));
    }

    // Trainings: 8 to 30 JP in 2026 (20 JP is the yearly requirement),
    // and one in 2025 for every third person.
    for (i, e) in d.employees.iter().enumerate().filter(|(_, e)| e.active) {
        let mut add = |year: i32, jp: u32, k: usize| {
            let start = day(year, 3, 2).checked_add_days(Days::new((i * 5 % 200) as u64)).unwrap();
            let t = Training {
                employee_nip: e.nip.clone(),
                form: DevelopmentForm::Pelatihan,
                title: ["Pelatihan Pelayanan Prima", "Pelatihan Penyusunan SKP", "Kursus Kearsipan"][i % 3].into(),
                provider: "BKPSDM Kabupaten Uji".into(),
                start,
                end: start.succ_opt().unwrap(),
                minutes: jp * 45,
                programme_id: None,
            };
            t.validate().unwrap();
            d.trainings.push((DocId::derived(&format!("fixture/training/{}/{k}", e.nip)), t));
        };
        add(2026, [8, 12, 16, 24, 30][i % 5], 0);
        if i % 3 == 0 {
            add(2025, 16, 1);
        }
    }

    // Mentoring: a member of staff of each of the first three units with
    // their head.
    for unit in d.units.iter().take(3) {
        let mentee = d.employees.iter().find(|e| e.unit_id == unit.id && e.superior_nip == unit.head_nip).unwrap();
        let m = Mentoring {
            mentor_nip: unit.head_nip.clone().unwrap(),
            mentee_nip: mentee.nip.clone(),
            unit_id: unit.id.clone(),
            start: day(2026, 2, 2),
            active: true,
            sessions: (0..2)
                .map(|s| MentoringSession {
                    id: format!("sesi-{s}"),
                    date: day(2026, 2 + s, 16),
                    minutes: 60,
                    topic: "Penyusunan laporan kegiatan".into(),
                    notes: String::new(),
                })
                .collect(),
        };
        m.validate().unwrap();
        d.mentoring.push((DocId::derived(&format!("fixture/mentoring/{}", mentee.nip)), m));
    }

    // HR's inputs.
    for code in PERIODS {
        for (u, unit) in d.units.iter().enumerate() {
            d.unit_periods.push(UnitPeriodRow {
                unit_id: unit.id.clone(),
                period: code.into(),
                rating: Some(UnitRating::Baik.name().to_string()),
                population: Some(60 + 40 * u as u64),
            });
        }
    }
    for (i, e) in d.employees.iter().enumerate().filter(|(i, e)| e.active && i % 5 != 4) {
        d.potentials.push(PotentialRow {
            nip: e.nip.to_string(),
            score: 45.0 + (i * 17 % 50) as f64,
            assessed_on: "2026-03-16".into(),
        });
    }
    let punished = d.employees.iter().find(|e| e.unit_id == "unit-0003" && e.superior_nip.is_some()).unwrap();
    d.sanctions.push(SanctionRow {
        nip: punished.nip.to_string(),
        level: prestasi_core::rules::Sanction::Ringan.name().to_string(),
        decided_on: "2026-02-10".into(),
        note: "Teguran lisan".into(),
    });
    d
}

/// Store `d` in `tenant` through `admin::seed` (documents, dated when they
/// arrived), then HR's inputs as HR's forms store them.
pub(super) fn load(storage: &dyn Storage, tenant: &str, d: &Data) {
    let server = crate::state::server_identity(storage).unwrap();
    let roster_at = wib(day(2025, 7, 1), 0);
    let end_of = |code: &str| wib(Period::parse(code).unwrap().end.succ_opt().unwrap(), 0);
    let after = |date: NaiveDate| wib(date.succ_opt().unwrap(), 0);
    let mut seeds: Vec<Seed> = Vec::new();
    let mut add = |id, record, received_at| seeds.push(Seed { id, record, received_at });
    for u in &d.units {
        add(DocId::derived(&format!("unit/{}", u.id)), Record::Unit(u.clone()), roster_at);
    }
    for e in &d.employees {
        add(DocId::derived(&format!("employee/{}", e.nip)), Record::Employee(e.clone()), roster_at);
    }
    for (id, a) in &d.appraisals {
        add(*id, Record::Appraisal(a.clone()), end_of(&a.period));
    }
    for (id, f, at) in &d.feedback {
        add(*id, Record::Feedback(f.clone()), *at);
    }
    for (id, t) in &d.trainings {
        add(*id, Record::Training(t.clone()), after(t.end));
    }
    for (id, m) in &d.mentoring {
        add(*id, Record::Mentoring(m.clone()), after(m.sessions.iter().map(|s| s.date).max().unwrap_or(m.start)));
    }
    let seeded = admin::seed(storage, &server, tenant, OFFICER, &seeds, &mut |_| {}).unwrap();
    assert_eq!(seeded, admin::Seeded { written: seeds.len(), existing: 0 });
    for r in &d.unit_periods {
        storage.set_unit_period(tenant, r).unwrap();
    }
    for r in &d.potentials {
        storage.set_potential(tenant, r).unwrap();
    }
    for r in &d.sanctions {
        storage.add_sanction(tenant, r).unwrap();
    }
}
