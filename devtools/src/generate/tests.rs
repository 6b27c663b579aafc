#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};

use prestasi_core::model::{AppraisalStatus, PositionKind};
use prestasi_core::rules::{Nip, Sanction, UnitRating, predikat};

use prestasi_server::storage::sqlite::SqliteStorage;
use prestasi_server::storage::{AppraisalFilter, ReportStore, Window};

use super::*;

fn storage(tenant: &str) -> SqliteStorage {
    let s = SqliteStorage::in_memory().unwrap();
    s.create_tenant(tenant, "Kabupaten Uji").unwrap();
    s
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    let o = Options::small();
    let (a, b) = (dataset(&o).unwrap(), dataset(&o).unwrap());
    assert_eq!(a.employees, b.employees);
    assert_eq!(a.appraisals, b.appraisals);
    assert_eq!(a.feedback, b.feedback);
    assert_eq!(a.trainings, b.trainings);
    assert_eq!(a.mentoring, b.mentoring);
    assert_eq!(a.unit_periods, b.unit_periods);
    assert_eq!(a.potentials, b.potentials);
    assert_eq!(a.sanctions, b.sanctions);
    let c = dataset(&Options { seed: 2, ..o }).unwrap();
    assert_ne!(a.employees, c.employees);
    assert_ne!(a.feedback, c.feedback);
}

#[test]
fn every_record_is_valid_and_nips_are_unique() {
    let o = Options::small();
    let d = dataset(&o).unwrap();
    let mut nips = HashSet::new();
    for e in &d.employees {
        e.validate().unwrap();
        let parsed = Nip::parse(e.nip.as_str()).unwrap();
        assert!(parsed.warnings().is_empty(), "{}", e.nip);
        assert!((1965..=2000).contains(&chrono::Datelike::year(&parsed.birth_date())), "{}", e.nip);
        assert!(nips.insert(e.nip.to_string()), "duplicate NIP {}", e.nip);
    }
    for u in &d.units {
        u.validate().unwrap();
        assert!(u.head_nip.as_ref().is_some_and(|h| nips.contains(h.as_str())));
    }
    for (_, a) in &d.appraisals {
        a.validate().unwrap();
        if a.status != AppraisalStatus::Draft {
            a.validate_complete().unwrap();
        }
        assert!((3..=6).contains(&a.targets.len()));
    }
    for (_, f, at) in &d.feedback {
        f.validate().unwrap();
        assert!((o.start_ms..o.end_ms).contains(at));
        assert_eq!(f.submitted_at.timestamp_millis(), *at);
        assert!(f.minutes_waited <= 180);
    }
    for (_, t) in &d.trainings {
        t.validate().unwrap();
        assert!((45..=1_800).contains(&t.minutes));
    }
    for (_, m) in &d.mentoring {
        m.validate().unwrap();
        assert!((1..=6).contains(&m.sessions.len()));
    }
    for r in &d.unit_periods {
        r.rating.as_deref().unwrap().parse::<UnitRating>().unwrap();
        assert!((50..=5_000).contains(&r.population.unwrap()));
    }
    for p in &d.potentials {
        assert!((30.0..=100.0).contains(&p.score));
        assert!(nips.contains(&p.nip));
    }
    for s in &d.sanctions {
        s.level.parse::<Sanction>().unwrap();
        assert!(nips.contains(&s.nip));
    }
    let ids: HashSet<DocId> = d
        .appraisals
        .iter()
        .map(|x| x.0)
        .chain(d.feedback.iter().map(|x| x.0))
        .chain(d.trainings.iter().map(|x| x.0))
        .chain(d.mentoring.iter().map(|x| x.0))
        .collect();
    let docs = d.appraisals.len() + d.feedback.len() + d.trainings.len() + d.mentoring.len();
    assert_eq!(ids.len(), docs, "document ids are unique");
}

#[test]
fn counts_follow_the_options() {
    let o = Options::small();
    let d = dataset(&o).unwrap();
    assert_eq!(d.units.len(), 9);
    assert_eq!(d.employees.len(), 300);
    assert_eq!(d.feedback.len(), 3_000);
    let active = d.employees.iter().filter(|e| e.active).count();
    assert_eq!(d.trainings.len(), active * 2);
    assert_eq!(d.unit_periods.len(), 9 * 4);

    // Appraised: every active employee with a superior (agency heads have
    // none), in every period; ~5% are not yet appraised in the last one.
    let eligible: HashSet<&str> =
        d.employees.iter().filter(|e| e.active && e.superior_nip.is_some()).map(|e| e.nip.as_str()).collect();
    assert_eq!(d.employees.iter().filter(|e| e.superior_nip.is_none()).count(), 3, "one head per agency");
    let mut per_period: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, a) in &d.appraisals {
        assert!(eligible.contains(a.employee_nip.as_str()));
        assert_eq!(*id, DocId::for_appraisal(&a.employee_nip, &a.period));
        *per_period.entry(a.period.as_str()).or_default() += 1;
    }
    for p in &o.periods[..3] {
        assert_eq!(per_period[p.as_str()], eligible.len(), "{p}");
    }
    let last = per_period["2026-S2"];
    assert!(last < eligible.len() && last * 100 >= eligible.len() * 90, "{last} of {}", eligible.len());

    // The appraiser is the employee's superior, the reviewer theirs.
    let by_nip: HashMap<&str, &Employee> = d.employees.iter().map(|e| (e.nip.as_str(), e)).collect();
    for (_, a) in &d.appraisals {
        let e = by_nip[a.employee_nip.as_str()];
        assert_eq!(e.superior_nip.as_ref(), Some(&a.appraiser_nip));
        assert_eq!(a.reviewer_nip, by_nip[a.appraiser_nip.as_str()].superior_nip);
    }
}

#[test]
fn the_data_looks_like_a_regency() {
    let d = dataset(&Options::small()).unwrap();
    let n = d.employees.len() as f64;
    let fungsional = d.employees.iter().filter(|e| matches!(e.position, PositionKind::Fungsional(_))).count() as f64;
    assert!((0.15..0.45).contains(&(fungsional / n)), "{fungsional}");
    assert!(d.employees.iter().any(|e| !e.active));
    let locked = d.appraisals.iter().filter(|(_, a)| a.status == AppraisalStatus::Locked).count();
    assert!(locked > d.appraisals.len() / 2);
    let last: Vec<_> = d.appraisals.iter().filter(|(_, a)| a.period == "2026-S2").collect();
    for s in [AppraisalStatus::Draft, AppraisalStatus::Submitted, AppraisalStatus::Reviewed] {
        assert!(last.iter().any(|(_, a)| a.status == s), "{s:?}");
    }
    assert!(last.iter().all(|(_, a)| a.status != AppraisalStatus::Locked));
    let predikats: HashSet<_> = d.appraisals.iter().filter_map(|(_, a)| a.predikat()).collect();
    assert!(predikats.len() >= 4, "{predikats:?}");
    for (_, a) in &d.appraisals {
        if let (Some(h), Some(p)) = (a.hasil_kerja, a.perilaku) {
            assert_eq!(a.predikat(), Some(predikat(h, p)));
        }
    }
    assert!(d.appraisals.iter().any(|(_, a)| !a.innovations.is_empty()));
    let commented = d.feedback.iter().filter(|(_, f, _)| !f.comment.is_empty()).count();
    assert!((600..1_200).contains(&commented), "{commented}");
    let named = d.feedback.iter().filter(|(_, f, _)| f.officer_nip.is_some()).count();
    assert!((1_500..2_100).contains(&named), "{named}");
    // Someone is below 20 JP in a year, someone above.
    let mut minutes: HashMap<(&str, i32), u32> = HashMap::new();
    for (_, t) in &d.trainings {
        *minutes.entry((t.employee_nip.as_str(), chrono::Datelike::year(&t.end))).or_default() += t.minutes;
    }
    assert!(minutes.values().any(|&m| m < 900) && minutes.values().any(|&m| m >= 900));
    assert!(d.trainings.iter().any(|(_, t)| t.programme_id.is_none()));
    assert!(!d.mentoring.is_empty() && !d.potentials.is_empty());
}

#[test]
fn load_writes_every_record_and_generate_writes_the_same() {
    let o = Options::small();
    let d = dataset(&o).unwrap();
    let s = storage("uji");
    let mut calls = Vec::new();
    load(&s, "uji", &d, &mut |what, done, total| calls.push((what.to_string(), done, total))).unwrap();
    assert!(calls.contains(&("feedback".to_string(), 3_000, 3_000)));

    let appraisals = s.appraisals("uji", &AppraisalFilter::default()).unwrap();
    assert_eq!(appraisals.len(), d.appraisals.len());
    assert_eq!(s.feedback_count("uji", None).unwrap(), d.feedback.len() as u64);
    assert_eq!(s.employees("uji", None).unwrap().len(), d.employees.len());
    assert_eq!(s.units("uji").unwrap().len(), d.units.len());
    assert_eq!(s.potentials("uji").unwrap().len(), d.potentials.len());
    assert_eq!(s.sanctions("uji").unwrap().len(), d.sanctions.len());
    assert_eq!(s.mentoring("uji").unwrap().len(), d.mentoring.len());
    assert_eq!(s.trainings("uji", "2000-01-01", "2100-01-01").unwrap().len(), d.trainings.len());
    assert_eq!(s.unit_periods("uji", "2025-S1").unwrap().len(), d.units.len());

    // A report figure computed from the dataset matches the database's.
    let w = Window { from_ms: o.start_ms, to_ms: o.end_ms };
    let sums = s.feedback_by_service("uji", w).unwrap();
    let mut expected: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for (_, f, _) in &d.feedback {
        let e = expected.entry((f.unit_id.clone(), f.service.clone())).or_default();
        e.0 += 1;
        e.1 += u64::from(f.scores.as_array()[0]);
    }
    let got: BTreeMap<(String, String), (u64, u64)> =
        sums.iter().map(|x| ((x.key.clone(), x.service.clone()), (x.respondents, x.sums[0]))).collect();
    assert_eq!(got, expected);

    // The streaming variant writes exactly the same rows.
    let s2 = storage("uji");
    let summary = generate(&s2, "uji", &o, &mut |_, _, _| {}).unwrap();
    assert_eq!(summary, d.summary());
    assert_eq!(s2.appraisals("uji", &AppraisalFilter::default()).unwrap(), appraisals);
    assert_eq!(s2.feedback_by_service("uji", w).unwrap(), sums);
    assert_eq!(s2.staff("uji").unwrap(), s.staff("uji").unwrap());
    // Every row has its document, dated as the module says.
    let (id, a) = &d.appraisals[0];
    let doc = s2.document("uji", *id).unwrap().expect("the appraisal's document");
    assert_eq!(doc.updated_at, appraisal_at(a, o.end_ms));
    let (id, _, at) = &d.feedback[0];
    assert_eq!(s2.document("uji", *id).unwrap().expect("the feedback's document").updated_at, *at);
    // Loading again finds every document there and adds nothing.
    let heads = s2.document("uji", *id).unwrap().unwrap().heads;
    generate(&s2, "uji", &o, &mut |_, _, _| {}).unwrap();
    assert_eq!(s2.feedback_count("uji", None).unwrap(), d.feedback.len() as u64);
    assert_eq!(s2.document("uji", *id).unwrap().unwrap().heads, heads);
}

#[test]
fn bad_options_and_unknown_tenants_are_errors() {
    let s = storage("uji");
    let tiny = Options { employees: 10, ..Options::small() };
    assert!(matches!(dataset(&tiny), Err(GenerateError::Invalid(_))));
    let bad_period = Options { periods: vec!["2026-X".into()], ..Options::small() };
    assert!(matches!(dataset(&bad_period), Err(GenerateError::Invalid(_))));
    let d = dataset(&Options { feedback: 10, ..Options::small() }).unwrap();
    assert!(matches!(load(&s, "nope", &d, &mut |_, _, _| {}), Err(GenerateError::Invalid(_))));
}

#[test]
fn the_load_test_has_at_least_200000_appraisals() {
    let o = Options::load_test();
    let plan = Plan::new(&o).unwrap();
    assert_eq!(plan.units.len(), 200);
    assert_eq!(plan.people.len(), 52_500);
    let appraisals = plan.appraisal_keys().count();
    assert!(appraisals >= 200_000, "{appraisals}");
    assert_eq!(o.feedback, 1_000_000);
    let nips: HashSet<&str> = plan.people.iter().map(|p| p.employee.nip.as_str()).collect();
    assert_eq!(nips.len(), 52_500);
}
