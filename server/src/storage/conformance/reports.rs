//! Every [`ReportStore`] read over the data set of [`super::dataset`]:
//! filters, windows, order, sums. [`check_all`] runs every check, so that
//! `isolation` can run them again next to another tenant's rows.

use prestasi_core::model::AppraisalStatus;
use prestasi_core::rules::predikat::Predikat;

use super::dataset::{Dataset, jan_feb, populate};
use super::*;

const T: &str = "manokwari";

fn setup(s: &dyn Storage) -> Dataset {
    two_tenants(s);
    populate(s, T)
}

pub(super) fn check_all(s: &dyn Storage, t: &str, ds: &Dataset) {
    check_units_and_staff(s, t, ds);
    check_appraisal_reads(s, t, ds);
    check_feedback_sums(s, t, ds);
    check_feedback_by_officer(s, t, ds);
    check_feedback_comments(s, t, ds);
    check_waiting_by_month(s, t, ds);
    check_trainings_and_mentoring(s, t, ds);
}

pub(super) fn units_and_staff(s: &dyn Storage) {
    check_units_and_staff(s, T, &setup(s));
}
pub(super) fn appraisal_reads(s: &dyn Storage) {
    check_appraisal_reads(s, T, &setup(s));
}
pub(super) fn feedback_sums(s: &dyn Storage) {
    check_feedback_sums(s, T, &setup(s));
}
pub(super) fn feedback_by_officer_few_many_and_all(s: &dyn Storage) {
    check_feedback_by_officer(s, T, &setup(s));
}
pub(super) fn feedback_comments_newest_first(s: &dyn Storage) {
    check_feedback_comments(s, T, &setup(s));
}
pub(super) fn waiting_by_month_in_local_time(s: &dyn Storage) {
    check_waiting_by_month(s, T, &setup(s));
}
pub(super) fn trainings_and_mentoring(s: &dyn Storage) {
    check_trainings_and_mentoring(s, T, &setup(s));
}

fn check_units_and_staff(s: &dyn Storage, t: &str, ds: &Dataset) {
    let units = s.units(t).unwrap();
    assert_eq!(
        units,
        vec![ds.u3.view.clone(), ds.u1.view.clone(), ds.u2.view.clone()],
        "units by agency name, then name"
    );
    assert_eq!(units[1].head_nip.as_deref(), Some(BOSS), "a unit's head is kept");
    assert_eq!(units[2].head_nip, None);
    let staff = s.staff(t).unwrap();
    assert_eq!(
        staff,
        vec![ds.reviewer.view.clone(), ds.boss.view.clone(), ds.staff.view.clone(), ds.other.view.clone()],
        "staff by NIP, every field as the view computed it"
    );
    let boss = &staff[1];
    assert_eq!(
        (
            boss.position_kind.as_str(),
            boss.functional_level.as_deref(),
            boss.rank.as_deref(),
            boss.education.as_deref()
        ),
        ("Fungsional", Some("AhliMuda"), Some("IV/a"), Some("S2")),
        "position, level, rank and education of a functional officer"
    );
    assert_eq!(
        (staff[0].rank.clone(), staff[0].rank_since.clone(), staff[0].education.clone()),
        (None, None, None),
        "absent values stay absent"
    );
    assert!(!staff[3].active, "an employee who left is kept, inactive");
    assert_eq!(
        s.employees(t, None).unwrap(),
        vec![ds.boss.employee(), ds.other.employee(), ds.staff.employee(), ds.reviewer.employee()],
        "the roster by name"
    );
    assert_eq!(s.employees(t, Some("u1")).unwrap(), vec![ds.boss.employee(), ds.staff.employee()], "one unit's roster");
    assert!(s.employees(t, Some("u9")).unwrap().is_empty(), "a unit without staff");
}

fn check_appraisal_reads(s: &dyn Storage, t: &str, ds: &Dataset) {
    let filter = |period: Option<&str>, unit: Option<&str>| {
        let f = AppraisalFilter { period: period.map(str::to_string), unit: unit.map(str::to_string) };
        s.appraisals(t, &f).unwrap()
    };
    let (a1, a2, a3, a4) = (ds.a1.row(), ds.a2.row(), ds.a3.row(), ds.a4.row());
    assert_eq!(
        filter(None, None),
        vec![a4.clone(), a1.clone(), a2.clone(), a3.clone()],
        "appraisals by period, unit, employee"
    );
    assert_eq!(filter(Some("2026-Q3"), None), vec![a2.clone(), a3.clone()], "one period");
    assert_eq!(filter(None, Some("u1")), vec![a4, a1.clone(), a2], "one unit");
    assert_eq!(filter(Some("2026-Q3"), Some("u2")), vec![a3], "one period and unit");
    assert!(filter(Some("2027-Q1"), None).is_empty(), "a period without appraisals");
    assert_eq!(
        (a1.status, a1.predikat, a1.notes.as_str()),
        (AppraisalStatus::Reviewed, Some(Predikat::Baik), "Kinerja baik.")
    );
    assert_eq!(a1.reviewer_nip.as_deref(), Some(REVIEWER));

    let targets = s.appraisal_targets(t, ds.a1.id).unwrap();
    assert_eq!(targets, ds.a1.view.targets, "targets in the document's order");
    assert_eq!(
        targets.iter().map(|x| x.indicator.as_str()).collect::<Vec<_>>(),
        vec!["Dokumen kependudukan terbit", "Keluhan ditindaklanjuti", "Rapat koordinasi"]
    );
    assert_eq!((targets[0].target, targets[0].realisation, targets[0].main), (100.0, Some(120.0), true));
    assert!(s.appraisal_targets(t, ds.a4.id).unwrap().is_empty(), "an appraisal without targets");
    assert!(s.appraisal_targets(t, DocId::new()).unwrap().is_empty(), "an unknown document");

    let facts = |periods: &[&str], unit: Option<&str>| {
        let periods: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
        s.appraisal_facts(t, &periods, unit).unwrap()
    };
    assert_eq!(facts(&["2026-Q3"], None), vec![ds.a2.fact(), ds.a3.fact()], "a period's facts by unit, then employee");
    assert_eq!(facts(&["2026-Q3"], Some("u2")), vec![ds.a3.fact()], "one unit's");
    let mut several = facts(&["2026-Q3", "2025-Q4"], None);
    several.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    let mut want = vec![ds.a2.fact(), ds.a3.fact(), ds.a4.fact()];
    want.sort_by(|a, b| a.doc_id.cmp(&b.doc_id));
    assert_eq!(several, want, "several periods");
    assert!(facts(&[], None).is_empty(), "no period, no facts");
    let fact = s.appraisal_fact(t, &ds.a1.id.to_string()).unwrap().expect("the fact of a stored appraisal");
    assert_eq!(fact, ds.a1.fact(), "appraisal_fact: the whole fact");
    assert_eq!(
        (fact.targets, fact.targets_above, fact.targets_below, fact.innovations),
        (3, 1, 1, 2),
        "evidence counts"
    );
    assert_eq!(fact.weak_targets, vec!["Keluhan ditindaklanjuti".to_string()], "weak targets");
    assert_eq!(fact.behaviour.len(), 3, "rated values only (a note alone is no rating)");
    assert!(s.appraisal_fact(t, &DocId::new().to_string()).unwrap().is_none(), "unknown appraisal: None");
    assert!(s.appraisal_fact(t, &ds.staff.id.to_string()).unwrap().is_none(), "an employee document is no appraisal");

    let innovations = s.innovations(t, &ds.a1.id.to_string()).unwrap();
    assert_eq!(
        innovations.iter().map(|i| (i.item_id.as_str(), i.date.as_str())).collect::<Vec<_>>(),
        vec![("inov-b", "2026-04-02"), ("inov-a", "2026-05-20")],
        "innovations by date"
    );
    assert_eq!(innovations[1].effect, "Waktu tunggu turun dari 40 ke 15 menit");
    assert!(s.innovations(t, &ds.a2.id.to_string()).unwrap().is_empty());

    let ratings = |p: &str| {
        let mut v = s.appraisal_ratings(t, p).unwrap();
        v.sort_by(|a, b| a.employee_nip.cmp(&b.employee_nip));
        v
    };
    assert_eq!(ratings("2026-Q2"), vec![ds.a1.ratings()], "the period's ratings");
    assert_eq!(
        ratings("2026-Q3"),
        vec![ds.a2.ratings(), ds.a3.ratings()],
        "every appraisal of the period, rated or not"
    );
    assert_eq!(ratings("2026-Q3")[1].weak_targets, vec!["Arsip tertata".to_string()]);
    assert!(ratings("2027-Q1").is_empty());

    let predikats = |p: &str| {
        let mut v = s.predikats(t, p).unwrap();
        v.sort_by(|a, b| a.employee_nip.cmp(&b.employee_nip));
        v
    };
    let row = |n: &str, status, predikat| PredikatRow { employee_nip: n.into(), status, predikat };
    assert_eq!(
        predikats("2026-Q3"),
        vec![row(OTHER, AppraisalStatus::Submitted, Predikat::Baik)],
        "only appraisals with a predikat"
    );
    assert_eq!(predikats("2026-Q2"), vec![row(STAFF, AppraisalStatus::Reviewed, Predikat::Baik)]);
    assert_eq!(
        predikats("2025-Q4"),
        vec![row(BOSS, AppraisalStatus::Locked, Predikat::SangatKurang)],
        "with its stage"
    );
    assert_eq!(
        s.periods(t).unwrap(),
        vec!["2026-Q3", "2026-Q2", "2025-Q4"],
        "periods with an appraisal, newest first, once each"
    );
}

/// `(key, service, respondents, sums, minutes)` of unit sums.
fn by_service(v: Vec<FeedbackSums>) -> Vec<(String, String, u64, [u64; 9], u64)> {
    v.into_iter().map(|f| (f.key, f.service, f.respondents, f.sums, f.minutes_waited)).collect()
}

fn check_feedback_sums(s: &dyn Storage, t: &str, ds: &Dataset) {
    let row = |unit: &str, service: &str, n, sums: [u64; 9], minutes| {
        (unit.to_string(), service.to_string(), n, sums, minutes)
    };
    assert_eq!(
        by_service(s.feedback_by_service(t, jan_feb()).unwrap()),
        vec![
            row("u1", "KK", 1, [2, 3, 4, 1, 2, 3, 4, 1, 2], 5),
            row("u1", "KTP", 2, [7; 9], 30),
            row("u2", "KTP", 2, [3; 9], 75)
        ],
        "sums per unit and service in the window, by unit then service"
    );
    let half_open = Window { from_ms: ds.f1.received_at, to_ms: ds.f4.received_at };
    assert_eq!(
        by_service(s.feedback_by_service(t, half_open).unwrap()),
        vec![row("u1", "KK", 1, [2, 3, 4, 1, 2, 3, 4, 1, 2], 5), row("u1", "KTP", 2, [7; 9], 30)],
        "the window includes its start and excludes its end"
    );
    let empty = Window { from_ms: ms("2027-01-01T00:00:00Z"), to_ms: ms("2027-02-01T00:00:00Z") };
    assert!(s.feedback_by_service(t, empty).unwrap().is_empty(), "an empty window");
    assert_eq!(s.feedback_count(t, None).unwrap(), 6, "every answer, whenever received");
    assert_eq!(
        (s.feedback_count(t, Some("u1")).unwrap(), s.feedback_count(t, Some("u2")).unwrap()),
        (4, 2),
        "per unit"
    );
    assert_eq!(s.feedback_count(t, Some("u9")).unwrap(), 0);
}

/// `(officer, respondents, sums)`: what the officer sums carry.
fn by_officer(v: Vec<FeedbackSums>) -> Vec<(String, u64, [u64; 9])> {
    v.into_iter().map(|f| (f.key, f.respondents, f.sums)).collect()
}

fn check_feedback_by_officer(s: &dyn Storage, t: &str, _: &Dataset) {
    let w = jan_feb();
    let staff = (STAFF.to_string(), 3, [9; 9]);
    let other = (OTHER.to_string(), 1, [2, 3, 4, 1, 2, 3, 4, 1, 2]);
    let of = |officers: Option<&[String]>| by_officer(s.feedback_by_officer(t, w, officers).unwrap());
    let names = |v: &[&str]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        of(None),
        vec![staff.clone(), other.clone()],
        "everyone named, by NIP; answers without officer left out"
    );
    assert_eq!(
        of(Some(&names(&[OTHER, STAFF, "199001012015011999"]))),
        vec![staff.clone(), other.clone()],
        "a few officers, by NIP; one without answers absent"
    );
    assert_eq!(of(Some(&names(&[OTHER]))), vec![other.clone()], "one officer");
    assert_eq!(of(Some(&names(&[STAFF, STAFF]))), vec![staff.clone()], "an officer named twice is summed once");
    assert!(of(Some(&[])).is_empty(), "no officer asked, none answered");
    // More officers than a backend may want to read one by one.
    let mut many: Vec<String> = (0..600).map(|i| format!("19900101201501{i:04}")).collect();
    assert!(of(Some(&many)).is_empty(), "600 officers without answers");
    many.insert(300, STAFF.to_string());
    assert_eq!(of(Some(&many)), vec![staff.clone()], "600 officers: only those asked for");
    many.push(OTHER.to_string());
    assert_eq!(of(Some(&many)), vec![staff, other], "and all of them");
    let all = Window { from_ms: 0, to_ms: i64::MAX };
    assert_eq!(
        by_officer(s.feedback_by_officer(t, all, Some(&names(&[STAFF]))).unwrap())[0].1,
        4,
        "the window decides"
    );
}

fn check_feedback_comments(s: &dyn Storage, t: &str, ds: &Dataset) {
    let w = jan_feb();
    let c = |unit: Option<&str>, officer: Option<&str>, limit| s.feedback_comments(t, w, unit, officer, limit).unwrap();
    let (f1, f3, f4, f6) = (ds.f1.comment(), ds.f3.comment(), ds.f4.comment(), ds.f6.comment());
    assert_eq!(
        c(None, None, 10),
        vec![f6.clone(), f4.clone(), f3.clone(), f1.clone()],
        "non-empty comments in the window, newest first"
    );
    assert!(!c(None, None, 10).contains(&ds.f2.comment()), "an empty comment is no comment");
    assert_eq!(c(None, None, 2), vec![f6.clone(), f4.clone()], "the newest `limit`");
    assert_eq!(c(Some("u1"), None, 10), vec![f3.clone(), f1.clone()], "one unit's");
    assert_eq!(c(Some("u2"), None, 1), vec![f6.clone()], "one unit's newest");
    assert_eq!(c(None, Some(STAFF), 10), vec![f6.clone(), f1.clone()], "one officer's");
    assert_eq!(c(None, Some(OTHER), 10), vec![f3.clone()]);
    assert_eq!(
        c(Some("u1"), Some(STAFF), 1),
        vec![f1],
        "one officer's in one unit: the newest there, though newer ones are elsewhere"
    );
    assert!(c(Some("u2"), Some(OTHER), 10).is_empty(), "both filters apply");
    let all = Window { from_ms: 0, to_ms: i64::MAX };
    assert_eq!(s.feedback_comments(t, all, None, None, 1).unwrap(), vec![ds.f5.comment()], "the window decides");
}

fn check_waiting_by_month(s: &dyn Storage, t: &str, _: &Dataset) {
    let row = |unit: &str, month: &str, respondents, minutes_waited| WaitingRow {
        unit_id: unit.into(),
        month: month.into(),
        respondents,
        minutes_waited,
    };
    assert_eq!(
        s.waiting_by_month(t, jan_feb(), 0).unwrap(),
        vec![row("u1", "2026-01", 3, 35), row("u2", "2026-02", 2, 75)],
        "per unit and UTC month, by unit then month"
    );
    // WIT (UTC+9): the answer of 31 January 20:00 UTC is February's.
    assert_eq!(
        s.waiting_by_month(t, jan_feb(), 540).unwrap(),
        vec![row("u1", "2026-01", 2, 30), row("u1", "2026-02", 1, 5), row("u2", "2026-02", 2, 75)],
        "months in local time at the offset"
    );
    let from_mid = Window { from_ms: ms("2026-01-15T00:00:00Z"), to_ms: ms("2026-03-01T00:00:00Z") };
    assert_eq!(
        s.waiting_by_month(t, from_mid, 0).unwrap(),
        vec![row("u1", "2026-01", 2, 25), row("u2", "2026-02", 2, 75)],
        "a window starting mid-month"
    );
    let march = Window { from_ms: ms("2026-03-01T00:00:00Z"), to_ms: ms("2026-04-01T00:00:00Z") };
    assert_eq!(
        s.waiting_by_month(t, march, 420).unwrap(),
        vec![row("u1", "2026-03", 1, 0)],
        "no minutes waited still counts a respondent"
    );
}

fn check_trainings_and_mentoring(s: &dyn Storage, t: &str, ds: &Dataset) {
    let (t1, t2, t3, t4) = (ds.t1.view.clone(), ds.t2.view.clone(), ds.t3.view.clone(), ds.t4.view.clone());
    assert_eq!(
        s.trainings(t, "2026-01-01", "2026-12-31").unwrap(),
        vec![t1.clone(), t2, t3.clone()],
        "trainings ended in the range, by employee then end"
    );
    assert_eq!(s.trainings(t, "2026-02-03", "2026-02-03").unwrap(), vec![t1.clone()], "both ends inclusive");
    assert_eq!(s.trainings(t, "2026-02-04", "2026-05-09").unwrap(), vec![t3.clone()], "by end date, not start");
    assert_eq!(s.trainings(t, "2025-01-01", "2025-12-31").unwrap(), vec![t4]);
    assert_eq!((t3.programme_id.as_deref(), t3.minutes, t1.provider.as_str()), (Some("p1"), 600, "BPSDM Papua Barat"));
    let minutes = |from, to| {
        let mut v = s.training_minutes(t, from, to).unwrap();
        v.sort();
        v
    };
    assert_eq!(
        minutes("2026-01-01", "2026-12-31"),
        vec![(STAFF.to_string(), 1590), (OTHER.to_string(), 600)],
        "minutes summed per employee"
    );
    assert_eq!(
        minutes("2026-02-04", "2026-05-10"),
        vec![(STAFF.to_string(), 240), (OTHER.to_string(), 600)],
        "over the same range rule as trainings"
    );
    assert!(minutes("2027-01-01", "2027-12-31").is_empty());

    let m = s.mentoring(t).unwrap();
    assert_eq!(
        m,
        vec![ds.m3.view.clone(), ds.m1.view.clone(), ds.m2.view.clone()],
        "mentoring by unit, mentor, mentee"
    );
    assert_eq!((m[1].sessions, m[1].minutes, m[1].active), (2, 150, true), "sessions counted, minutes summed");
    assert_eq!((m[2].sessions, m[2].minutes, m[2].active), (0, 0, false));
}
