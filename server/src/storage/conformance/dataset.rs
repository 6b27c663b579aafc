//! One tenant's worth of records of every kind, written as the sync layer
//! writes them, with the view rows they must come back as.
//!
//! - units u1, u2 (agency "Dinas Dukcapil") and u3 ("BKPSDM");
//! - STAFF and BOSS in u1, OTHER in u2, REVIEWER in u3;
//! - appraisals: STAFF 2026-Q2 (reviewed, rated, three targets, two
//!   innovations), STAFF 2026-Q3 (draft, with a conflict on its notes),
//!   OTHER 2026-Q3 (submitted), BOSS 2025-Q4 (locked);
//! - six citizens' answers between January and March 2026;
//! - four trainings, three mentoring pairs, one allowance, one award.

use prestasi_core::doc::Conflict;
use prestasi_core::model::decision::AwardKind;
use prestasi_core::model::{
    Allowance, Appraisal, AppraisalStatus, Award, BehaviourValue, Channel, Employee, Feedback, Innovation, Mentoring,
    MentoringSession, PositionKind, SkpTarget, Training, Unit,
};
use prestasi_core::rules::credit::FunctionalLevel;
use prestasi_core::rules::development::DevelopmentForm;
use prestasi_core::rules::predikat::{Predikat, Rating};
use prestasi_core::rules::promotion::{Education, Rank};
use prestasi_core::rules::skm::Scores;

use super::*;

/// A document of the data set and the view it was stored with.
#[derive(Debug, Clone)]
pub(super) struct Stored<V> {
    pub id: DocId,
    pub view: V,
}

/// A citizen's answers and when the server received them.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub id: DocId,
    pub row: FeedbackRow,
    pub received_at: i64,
}

impl Answer {
    pub fn comment(&self) -> CommentRow {
        CommentRow {
            unit_id: self.row.unit_id.clone(),
            service: self.row.service.clone(),
            officer_nip: self.row.officer_nip.clone(),
            comment: self.row.comment.clone(),
            received_at: self.received_at,
        }
    }
}

impl Stored<StaffRow> {
    pub fn employee(&self) -> EmployeeRow {
        EmployeeRow {
            nip: self.view.nip.clone(),
            doc_id: self.id.to_string(),
            name: self.view.name.clone(),
            unit_id: self.view.unit_id.clone(),
            superior_nip: self.view.superior_nip.clone(),
            active: self.view.active,
        }
    }
}

impl Stored<AppraisalView> {
    pub fn row(&self) -> AppraisalRow {
        let f = &self.view.fact;
        AppraisalRow {
            doc_id: f.doc_id.clone(),
            employee_nip: f.employee_nip.clone(),
            period: f.period.clone(),
            unit_id: f.unit_id.clone(),
            appraiser_nip: f.appraiser_nip.clone(),
            reviewer_nip: f.reviewer_nip.clone(),
            status: f.status,
            hasil_kerja: f.hasil_kerja,
            perilaku: f.perilaku,
            predikat: f.predikat,
            notes: self.view.notes.clone(),
        }
    }

    pub fn fact(&self) -> AppraisalFact {
        self.view.fact.clone()
    }

    pub fn ratings(&self) -> RatingsRow {
        RatingsRow {
            employee_nip: self.view.fact.employee_nip.clone(),
            behaviour: self.view.fact.behaviour.clone(),
            weak_targets: self.view.fact.weak_targets.clone(),
        }
    }
}

#[derive(Debug)]
pub(super) struct Dataset {
    pub u1: Stored<UnitRow>,
    pub u2: Stored<UnitRow>,
    pub u3: Stored<UnitRow>,
    pub staff: Stored<StaffRow>,
    pub boss: Stored<StaffRow>,
    pub reviewer: Stored<StaffRow>,
    pub other: Stored<StaffRow>,
    /// STAFF 2026-Q2: reviewed, Baik.
    pub a1: Stored<AppraisalView>,
    /// STAFF 2026-Q3: draft, its notes in conflict.
    pub a2: Stored<AppraisalView>,
    pub a2_conflicts: Vec<Conflict>,
    /// OTHER 2026-Q3: submitted.
    pub a3: Stored<AppraisalView>,
    /// BOSS 2025-Q4: locked.
    pub a4: Stored<AppraisalView>,
    /// u1/KTP, STAFF, 10 Jan, "Cepat".
    pub f1: Answer,
    /// u1/KTP, STAFF, 20 Jan, no comment.
    pub f2: Answer,
    /// u1/KK, OTHER, 31 Jan 20:00 UTC (1 Feb in WIT), "Antre lama".
    pub f3: Answer,
    /// u2/KTP, no officer, 15 Feb, "Kurang ramah".
    pub f4: Answer,
    /// u1/KTP, STAFF, 5 Mar (after the window), "Di luar jendela".
    pub f5: Answer,
    /// u2/KTP, STAFF, 20 Feb, "Petugas membantu".
    pub f6: Answer,
    /// STAFF, ends 2026-02-03, 1350 minutes.
    pub t1: Stored<TrainingRow>,
    /// STAFF, ends 2026-05-10, 240 minutes.
    pub t2: Stored<TrainingRow>,
    /// OTHER, programme p1, ends 2026-03-02, 600 minutes.
    pub t3: Stored<TrainingRow>,
    /// BOSS, ends 2025-12-31, 300 minutes.
    pub t4: Stored<TrainingRow>,
    /// BOSS mentors STAFF in u1: two sessions, 150 minutes.
    pub m1: Stored<MentoringRow>,
    /// REVIEWER mentors OTHER in u2: inactive, no sessions.
    pub m2: Stored<MentoringRow>,
    /// REVIEWER mentors BOSS in u1: one session.
    pub m3: Stored<MentoringRow>,
    pub allowance: DocId,
    pub award: DocId,
}

/// The window of the feedback reads: January and February 2026 (UTC).
pub(super) fn jan_feb() -> Window {
    Window { from_ms: ms("2026-01-01T00:00:00Z"), to_ms: ms("2026-03-01T00:00:00Z") }
}

fn stored<T: Merged + Clone, V>(
    s: &dyn Storage,
    t: &str,
    id: DocId,
    value: &T,
    at: i64,
    pick: impl Fn(View) -> Option<V>,
) -> Stored<V> {
    let mut d = store(s, t, id, value, at);
    Stored { id, view: pick(d.projection().view).expect("the view of the record's kind") }
}

fn unit_row(v: View) -> Option<UnitRow> {
    if let View::Unit(u) = v { Some(u) } else { None }
}
fn staff_row(v: View) -> Option<StaffRow> {
    if let View::Employee(e) = v { Some(e) } else { None }
}
fn appraisal_view(v: View) -> Option<AppraisalView> {
    if let View::Appraisal(a) = v { Some(*a) } else { None }
}
fn training_row(v: View) -> Option<TrainingRow> {
    if let View::Training(x) = v { Some(x) } else { None }
}
fn mentoring_row(v: View) -> Option<MentoringRow> {
    if let View::Mentoring(m) = v { Some(m) } else { None }
}

pub(super) fn unit(id: &str, name: &str, agency: (&str, &str), head: Option<&str>) -> Unit {
    Unit {
        id: id.into(),
        agency_id: agency.0.into(),
        agency_name: agency.1.into(),
        name: name.into(),
        head_nip: head.map(nip),
    }
}

pub(super) fn employee(n: &str, name: &str, unit: &str, superior: Option<&str>) -> Employee {
    Employee {
        nip: nip(n),
        name: name.into(),
        rank: Some(Rank::IIIa),
        rank_since: Some("2022-04-01".into()),
        education: Some(Education::S1),
        position: PositionKind::Pelaksana,
        position_title: "Pengadministrasi Kependudukan".into(),
        unit_id: unit.into(),
        superior_nip: superior.map(nip),
        active: true,
    }
}

pub(super) fn target(indicator: &str, target: f64, realisation: f64, main: bool, rating: Rating) -> SkpTarget {
    SkpTarget {
        realisation: Some(realisation),
        rating: Some(rating),
        ..SkpTarget::new(indicator, target, "dokumen", main).unwrap()
    }
}

pub(super) fn appraisal(employee: &str, period: &str, unit: &str, appraiser: &str) -> Appraisal {
    Appraisal::new(nip(employee), period, unit, nip(appraiser)).unwrap()
}

pub(super) fn answer(
    unit: &str,
    service: &str,
    scores: [u8; 9],
    waited: u32,
    comment: &str,
    officer: Option<&str>,
) -> Feedback {
    Feedback {
        unit_id: unit.into(),
        service: service.into(),
        scores: Scores::new(scores).unwrap(),
        minutes_waited: waited,
        comment: comment.into(),
        channel: Channel::Kiosk,
        submitted_at: chrono::DateTime::parse_from_rfc3339("2026-01-01T08:00:00+09:00").unwrap().with_timezone(&Utc),
        officer_nip: officer.map(nip),
    }
}

pub(super) fn training(employee: &str, title: &str, start: &str, end: &str, minutes: u32) -> Training {
    Training {
        employee_nip: nip(employee),
        form: DevelopmentForm::Pelatihan,
        title: title.into(),
        provider: "BPSDM Papua Barat".into(),
        start: date(start),
        end: date(end),
        minutes,
        programme_id: None,
    }
}

pub(super) fn mentoring(mentor: &str, mentee: &str, unit: &str, sessions: &[u32]) -> Mentoring {
    Mentoring {
        mentor_nip: nip(mentor),
        mentee_nip: nip(mentee),
        unit_id: unit.into(),
        start: date("2026-01-15"),
        active: true,
        sessions: sessions
            .iter()
            .enumerate()
            .map(|(i, m)| MentoringSession {
                id: format!("sesi-{i}"),
                date: date("2026-02-01"),
                minutes: *m,
                topic: "Pelayanan prima".into(),
                notes: String::new(),
            })
            .collect(),
    }
}

fn fb(s: &dyn Storage, t: &str, f: &Feedback, at: &str) -> Answer {
    let id = DocId::new();
    let received_at = ms(at);
    let mut d = store(s, t, id, f, received_at);
    let View::Feedback(row) = d.projection().view else { panic!("feedback has a feedback row") };
    Answer { id, row, received_at }
}

/// Write the data set into tenant `t` (which must exist).
pub(super) fn populate(s: &dyn Storage, t: &str) -> Dataset {
    let at = ms("2026-01-05T00:00:00Z");
    let dukcapil = ("a1", "Dinas Dukcapil");
    let u1 = stored(s, t, DocId::new(), &unit("u1", "Bidang Pelayanan", dukcapil, Some(BOSS)), at, unit_row);
    let u2 = stored(s, t, DocId::new(), &unit("u2", "Bidang Umum", dukcapil, None), at, unit_row);
    let u3 = stored(s, t, DocId::new(), &unit("u3", "Sekretariat", ("a2", "BKPSDM"), Some(REVIEWER)), at, unit_row);

    let staff = stored(s, t, DocId::new(), &employee(STAFF, "Rina Wulandari", "u1", Some(BOSS)), at, staff_row);
    let boss = Employee {
        position: PositionKind::Fungsional(FunctionalLevel::AhliMuda),
        position_title: "Analis Kependudukan Ahli Muda".into(),
        rank: Some(Rank::IVa),
        education: Some(Education::S2),
        ..employee(BOSS, "Agus Salim", "u1", Some(REVIEWER))
    };
    let boss = stored(s, t, DocId::new(), &boss, at, staff_row);
    let reviewer = Employee {
        position: PositionKind::Administrator,
        rank: None,
        rank_since: None,
        education: None,
        ..employee(REVIEWER, "Yohanes Mandacan", "u3", None)
    };
    let reviewer = stored(s, t, DocId::new(), &reviewer, at, staff_row);
    let other = Employee { active: false, ..employee(OTHER, "Dewi Lestari", "u2", Some(BOSS)) };
    let other = stored(s, t, DocId::new(), &other, at, staff_row);

    let mut a = appraisal(STAFF, "2026-Q2", "u1", BOSS);
    a.reviewer_nip = Some(nip(REVIEWER));
    a.targets = vec![
        target("Dokumen kependudukan terbit", 100.0, 120.0, true, Rating::DiAtasEkspektasi),
        target("Keluhan ditindaklanjuti", 20.0, 10.0, false, Rating::DiBawahEkspektasi),
        target("Rapat koordinasi", 4.0, 4.0, false, Rating::SesuaiEkspektasi),
    ];
    a.behaviour.insert(BehaviourValue::Kompeten, Rating::DiAtasEkspektasi);
    a.behaviour.insert(BehaviourValue::Loyal, Rating::DiBawahEkspektasi);
    a.behaviour.insert(BehaviourValue::BerorientasiPelayanan, Rating::SesuaiEkspektasi);
    a.behaviour_notes.insert(BehaviourValue::Kompeten, "Menguasai SIAK".into());
    a.behaviour_notes.insert(BehaviourValue::Adaptif, "Cepat belajar".into());
    a.hasil_kerja = Some(Rating::DiAtasEkspektasi);
    a.perilaku = Some(Rating::SesuaiEkspektasi);
    a.notes = "Kinerja baik.".into();
    a.innovations = vec![
        Innovation {
            id: "inov-a".into(),
            what: "Antrean daring".into(),
            date: date("2026-05-20"),
            effect: "Waktu tunggu turun dari 40 ke 15 menit".into(),
        },
        Innovation {
            id: "inov-b".into(),
            what: "Layanan jemput bola".into(),
            date: date("2026-04-02"),
            effect: "120 KTP-el dicetak di kampung".into(),
        },
    ];
    a.status = AppraisalStatus::Reviewed;
    let a1 = stored(s, t, DocId::for_appraisal(&a.employee_nip, &a.period), &a, at, appraisal_view);
    assert_eq!(a1.view.fact.predikat, Some(Predikat::Baik), "fixture: above and as expected make Baik");

    let mut a = appraisal(STAFF, "2026-Q3", "u1", BOSS);
    a.targets = vec![SkpTarget::new("Dokumen kependudukan terbit", 100.0, "dokumen", true).unwrap()];
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let mut a2doc = store(s, t, id, &a, at);
    // Two HR devices write different notes without seeing each other.
    let mut fork = a2doc.doc.fork();
    a2doc.edit(|x| x.notes = "Perlu pendampingan.".into());
    fork.edit(&hr_on(8), Utc::now(), |x| {
        x.notes = "Target belum disepakati.".into();
        Ok(())
    })
    .unwrap();
    a2doc.doc.merge(&mut fork).unwrap();
    let a2_conflicts = a2doc.doc.conflicts();
    assert_eq!(a2_conflicts.len(), 1, "fixture: concurrent notes are one conflict");
    a2doc.put(s, t, "hr-tablet", at);
    let a2 = Stored { id, view: appraisal_view(a2doc.projection().view).unwrap() };

    let mut a = appraisal(OTHER, "2026-Q3", "u2", BOSS);
    a.targets = vec![target("Arsip tertata", 50.0, 20.0, true, Rating::DiBawahEkspektasi)];
    a.hasil_kerja = Some(Rating::SesuaiEkspektasi);
    a.perilaku = Some(Rating::SesuaiEkspektasi);
    a.status = AppraisalStatus::Submitted;
    let a3 = stored(s, t, DocId::for_appraisal(&a.employee_nip, &a.period), &a, at, appraisal_view);

    let mut a = appraisal(BOSS, "2025-Q4", "u1", REVIEWER);
    a.hasil_kerja = Some(Rating::DiBawahEkspektasi);
    a.perilaku = Some(Rating::DiBawahEkspektasi);
    a.status = AppraisalStatus::Locked;
    let a4 = stored(s, t, DocId::for_appraisal(&a.employee_nip, &a.period), &a, at, appraisal_view);

    let f1 = fb(s, t, &answer("u1", "KTP", [4; 9], 10, "Cepat", Some(STAFF)), "2026-01-10T01:00:00Z");
    let f2 = fb(s, t, &answer("u1", "KTP", [3; 9], 20, "", Some(STAFF)), "2026-01-20T01:00:00Z");
    let f3 = fb(
        s,
        t,
        &answer("u1", "KK", [2, 3, 4, 1, 2, 3, 4, 1, 2], 5, "Antre lama", Some(OTHER)),
        "2026-01-31T20:00:00Z",
    );
    let f4 = fb(s, t, &answer("u2", "KTP", [1; 9], 60, "Kurang ramah", None), "2026-02-15T03:00:00Z");
    let f5 = fb(s, t, &answer("u1", "KTP", [4; 9], 0, "Di luar jendela", Some(STAFF)), "2026-03-05T00:00:00Z");
    let f6 = fb(s, t, &answer("u2", "KTP", [2; 9], 15, "Petugas membantu", Some(STAFF)), "2026-02-20T00:00:00Z");

    let t1 = stored(
        s,
        t,
        DocId::new(),
        &training(STAFF, "Pelayanan Prima", "2026-02-01", "2026-02-03", 1350),
        at,
        training_row,
    );
    let t2 =
        Training { form: DevelopmentForm::Seminar, ..training(STAFF, "Etika ASN", "2026-05-10", "2026-05-10", 240) };
    let t2 = stored(s, t, DocId::new(), &t2, at, training_row);
    let t3 = Training {
        form: DevelopmentForm::Workshop,
        programme_id: Some("p1".into()),
        ..training(OTHER, "Arsip Digital", "2026-03-01", "2026-03-02", 600)
    };
    let t3 = stored(s, t, DocId::for_attendance("p1", &nip(OTHER)), &t3, at, training_row);
    let t4 =
        Training { form: DevelopmentForm::Kursus, ..training(BOSS, "Bahasa Inggris", "2025-12-01", "2025-12-31", 300) };
    let t4 = stored(s, t, DocId::new(), &t4, at, training_row);

    let m1 = stored(s, t, DocId::new(), &mentoring(BOSS, STAFF, "u1", &[60, 90]), at, mentoring_row);
    let m2 = Mentoring { active: false, start: date("2026-02-01"), ..mentoring(REVIEWER, OTHER, "u2", &[]) };
    let m2 = stored(s, t, DocId::new(), &m2, at, mentoring_row);
    let m3 = stored(s, t, DocId::new(), &mentoring(REVIEWER, BOSS, "u1", &[45]), at, mentoring_row);

    let allowance = DocId::new();
    let value = Allowance {
        employee_nip: nip(STAFF),
        period: "2026-Q2".into(),
        predikat: Predikat::Baik,
        percent: 100.0,
        decided_on: date("2026-07-15"),
    };
    store(s, t, allowance, &value, at);
    let award = DocId::new();
    let value = Award {
        employee_nip: nip(STAFF),
        period: "2026-Q2".into(),
        kind: AwardKind::Certificate,
        reason: "Inovasi antrean daring".into(),
        decided_on: date("2026-07-20"),
    };
    store(s, t, award, &value, at);

    Dataset {
        u1,
        u2,
        u3,
        staff,
        boss,
        reviewer,
        other,
        a1,
        a2,
        a2_conflicts,
        a3,
        a4,
        f1,
        f2,
        f3,
        f4,
        f5,
        f6,
        t1,
        t2,
        t3,
        t4,
        m1,
        m2,
        m3,
        allowance,
        award,
    }
}
