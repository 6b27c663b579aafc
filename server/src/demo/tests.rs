#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use prestasi_core::model::AppraisalStatus;
use super::*;
use crate::storage::AppraisalFilter;

/// The whole demo, seeded into a scratch directory on a free port: the
/// figures HR will see come out as the data set says, and the closed
/// period, conflicts and feedback are in place. A second start reuses it.
#[test]
fn demo_seeds_a_regency_through_simulated_devices() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let running = rt
        .block_on(start(dir.path(), listen, false, async {
            let _ = stopped.await;
        }))
        .unwrap();
    let expected = generate::dataset(&options()).unwrap();
    let seeded = running.seeded.clone().expect("a first start seeds");
    let s = running.storage.as_ref();

    let employees = s.employees(TENANT, None).unwrap();
    assert_eq!(employees.len(), expected.employees.len());
    assert!((290..=310).contains(&employees.len()), "{}", employees.len());
    assert_eq!(s.units(TENANT).unwrap().len(), 12);
    assert!(s.units(TENANT).unwrap().iter().all(|u| u.head_nip.is_some()), "unit heads are set");

    let period = |p: &str| s.appraisals(TENANT, &AppraisalFilter { period: Some(p.into()), unit: None }).unwrap();
    let (closed, open) = (period(CLOSED), period(OPEN));
    assert!(closed.len() > 250 && open.len() > 250, "{} {}", closed.len(), open.len());
    assert_eq!(closed.len() + open.len(), expected.appraisals.len());
    assert!(closed.iter().all(|a| a.status == AppraisalStatus::Locked), "every appraisal of {CLOSED} is locked");
    for status in [AppraisalStatus::Draft, AppraisalStatus::Submitted, AppraisalStatus::Reviewed] {
        assert!(open.iter().any(|a| a.status == status), "{OPEN} has {status:?} appraisals");
    }
    assert!(open.iter().all(|a| a.status != AppraisalStatus::Locked));

    let conflicts = s.conflicts(TENANT).unwrap();
    let docs: std::collections::HashSet<&str> = conflicts.iter().map(|c| c.doc_id.as_str()).collect();
    assert!(docs.len() >= 3, "{conflicts:?}");
    assert!(conflicts.iter().all(|c| c.kind == "appraisal"));
    assert!(open.iter().filter(|a| docs.contains(a.doc_id.as_str())).count() == docs.len());

    let feedback = s.feedback_count(TENANT, None).unwrap();
    assert_eq!(feedback, 2_000);
    assert_eq!(seeded.data, expected.summary());
    assert_eq!(seeded.locked, closed.len());
    assert_eq!(seeded.conflicts, CONFLICTS);
    let trainings = s.trainings(TENANT, "2025-01-01", "2027-12-31").unwrap();
    assert_eq!(trainings.len(), expected.trainings.len());
    assert!(!trainings.is_empty());
    assert!(!s.mentoring(TENANT).unwrap().is_empty());
    assert!(!s.potentials(TENANT).unwrap().is_empty());
    assert_eq!(s.unit_periods(TENANT, OPEN).unwrap().len(), 12);
    // Tablets and kiosks enrolled through codes, as in the field.
    assert!(s.devices(TENANT).unwrap().len() >= 24 + seeded.conflicts);
    assert!(running.banner().contains("/masuk — instansi: demo, pengguna: bkpsdm, kata sandi: prestasi-demo"));
    assert!(running.example_unit.is_some());

    let _ = stop.send(());
    rt.block_on(running.wait()).unwrap();

    // Started again on the same directory: served as it is, not reseeded.
    let again = rt.block_on(start(dir.path(), listen, false, async {})).unwrap();
    assert!(again.seeded.is_none());
    assert_eq!(again.storage.feedback_count(TENANT, None).unwrap(), 2_000);
    rt.block_on(again.wait()).unwrap();
}
