#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use prestasi_core::model::AppraisalStatus;
use prestasi_server::storage::{AppraisalFilter, Window};

use super::*;

/// The whole demo, seeded into a scratch directory on a free port: the
/// figures HR will see come out as the data set says, and the closed
/// period, conflicts and feedback are in place. A second start reuses it.
#[test]
fn demo_seeds_a_regency_through_simulated_devices() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    seeds_and_restarts(dir.path(), &|| open_storage(&data, None).unwrap());
}

/// The same demo on PostgreSQL (a schema of its own in the test cluster).
#[test]
fn the_demo_runs_on_postgres() {
    let url = match std::env::var("PRESTASI_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(std::env::var("PRESTASI_REQUIRE_POSTGRES").as_deref() != Ok("1"), "no PostgreSQL to test on");
            eprintln!("SKIPPED: PRESTASI_TEST_DATABASE_URL is not set");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let schema = format!("demo_{}", std::process::id());
    let open = || -> Arc<dyn Storage> {
        Arc::new(prestasi_server::storage::postgres::PostgresStorage::open_in_schema(&url, &schema).unwrap())
    };
    seeds_and_restarts(dir.path(), &open);
}

fn seeds_and_restarts(dir: &Path, open_store: &dyn Fn() -> Arc<dyn Storage>) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let listen: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let devices = dir.join(DEVICES_DIR);
    let running = rt.block_on(start(open_store(), &devices, listen, until(stopped))).unwrap();
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
    // The kiosks sent their units' latest feedback today; the rest arrived
    // as history, dated when the citizens gave it, spread over the year —
    // as real documents, like everything else.
    let by_kiosk = sent_by_kiosks(&expected);
    let per_unit = |u: &str| expected.feedback.iter().filter(|(_, f, _)| f.unit_id == u).count();
    let sent: usize = expected.units.iter().map(|u| per_unit(&u.id).min(KIOSK_LATEST)).sum();
    assert_eq!(by_kiosk.len(), sent);
    assert!(sent > 6 * KIOSK_LATEST, "most units' kiosks sent their latest {KIOSK_LATEST}: {sent}");
    let o = options();
    let first_quarter = Window { from_ms: o.start_ms, to_ms: o.start_ms + 90 * 24 * 3_600_000 };
    let early: u64 = s.feedback_by_service(TENANT, first_quarter).unwrap().iter().map(|x| x.respondents).sum();
    let in_window = |at: &i64| (first_quarter.from_ms..first_quarter.to_ms).contains(at);
    let given_early = expected.feedback.iter().filter(|(id, _, at)| in_window(at) && !by_kiosk.contains(id)).count();
    assert!(early > 0 && early == given_early as u64, "{early} of {given_early}");
    for (id, _, _) in expected.feedback.iter().take(50) {
        let doc = s.document(TENANT, *id).unwrap().expect("every feedback has its document");
        assert_eq!(doc.kind, prestasi_core::doc::DocKind::Feedback);
    }
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
    assert!(running.banner().contains("/masuk — instansi: demo, pengguna: bkpsdm, kata sandi: kopi-arfak-pagi"));
    assert!(running.example_unit.is_some());

    let _ = stop.send(());
    rt.block_on(running.wait()).unwrap();

    // Started again on the same directory: served as it is, not reseeded.
    let again = rt.block_on(start(open_store(), &devices, listen, async {})).unwrap();
    assert!(again.seeded.is_none());
    assert_eq!(again.storage.feedback_count(TENANT, None).unwrap(), 2_000);
    rt.block_on(again.wait()).unwrap();
}

/// A shutdown future for [`start`]: completes when `stopped` fires.
async fn until(stopped: tokio::sync::oneshot::Receiver<()>) {
    let _ = stopped.await;
}
