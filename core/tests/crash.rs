//! Crash safety: a child process writes to a store in a loop and reports
//! each committed write; the parent SIGKILLs it at an arbitrary moment,
//! reopens the store, and checks every reported write is there. Repeated on
//! the same file many times.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use chrono::Utc;
use prestasi_core::model::{Appraisal, Author, Channel, DocId, Feedback, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::skm::Scores;
use prestasi_core::store::{Store, StoreKey};

/// The store is encrypted: the child and the parent open it with the same key.
fn key() -> StoreKey {
    StoreKey::from_bytes([0x5c; 32])
}

const CHILD_ENV: &str = "PRESTASI_CRASH_CHILD";
const ROUNDS: u64 = 25;
const STAFF: &str = "199307082019031090";
const BOSS: &str = "198802182010062056";

fn counter_id() -> DocId {
    DocId::for_appraisal(&Nip::parse(STAFF).unwrap(), "2026-Q3")
}

fn counter(store: &Store) -> Option<f64> {
    store.get::<Appraisal>(counter_id()).ok().and_then(|a| a.targets.first().and_then(|t| t.realisation))
}

/// The child: alternately bump a counter in one appraisal and record a new
/// feedback, printing what each committed transaction wrote.
fn write_forever(path: &str) -> ! {
    let store = Store::open(path, &key()).unwrap();
    // Every change is signed: both sign in (keys survive the kills too).
    store.sign_in(BOSS, "246810", None).unwrap();
    store.sign_in("kios-1", "", None).unwrap();
    let boss = Author::new(BOSS, store.device_id(), Role::Supervisor);
    let kiosk = Author::new("kios-1", store.device_id(), Role::Kiosk);
    if counter(&store).is_none() {
        let mut a = Appraisal::new(Nip::parse(STAFF).unwrap(), "2026-Q3", "unit-1", Nip::parse(BOSS).unwrap()).unwrap();
        let mut t = SkpTarget::new("Berkas selesai", 1000.0, "berkas", true).unwrap();
        t.realisation = Some(0.0);
        a.targets.push(t);
        store.create(counter_id(), &a, &boss).unwrap();
    }
    let mut out = std::io::stdout().lock();
    let mut n = counter(&store).unwrap();
    loop {
        n += 1.0;
        store
            .update::<Appraisal>(counter_id(), &boss, |a| {
                a.targets[0].realisation = Some(n);
                Ok(())
            })
            .unwrap();
        writeln!(out, "COUNTER {n}").unwrap();
        let id = DocId::new();
        let fb = Feedback {
            unit_id: "unit-1".into(),
            service: "KTP-el".into(),
            scores: Scores::new([4; 9]).unwrap(),
            minutes_waited: 10,
            comment: "x".repeat(200),
            channel: Channel::Kiosk,
            submitted_at: Utc::now(),
            officer_nip: None,
        };
        store.create(id, &fb, &kiosk).unwrap();
        writeln!(out, "FEEDBACK {id}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn committed_writes_survive_sigkill() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        write_forever(&path);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.db");
    let mut committed_counter = 0.0;
    let mut committed_feedback = Vec::new();
    // A small deterministic generator for kill points: 1..=40 reports.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..ROUNDS {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let kill_after = 1 + (seed >> 33) % 40;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "committed_writes_survive_sigkill", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = 0;
        while seen < kill_after {
            let Some(Ok(line)) = lines.next() else { panic!("round {round}: child stopped early") };
            if let Some(n) = line.strip_prefix("COUNTER ") {
                committed_counter = n.parse().unwrap();
                seen += 1;
            } else if let Some(id) = line.strip_prefix("FEEDBACK ") {
                committed_feedback.push(id.parse::<DocId>().unwrap());
            }
        }
        child.kill().unwrap(); // SIGKILL, mid-loop
        child.wait().unwrap();

        let store = Store::open(&path, &key()).unwrap_or_else(|e| panic!("round {round}: reopen failed: {e}"));
        assert!(store.check_integrity().unwrap());
        let stored = counter(&store).unwrap();
        // At most one write committed after the last report was read.
        assert!(
            stored == committed_counter || stored == committed_counter + 1.0,
            "round {round}: counter {stored}, last reported {committed_counter}"
        );
        committed_counter = stored;
        for id in &committed_feedback {
            store.get::<Feedback>(*id).unwrap_or_else(|e| panic!("round {round}: feedback {id} lost: {e}"));
        }
    }
    assert!(committed_feedback.len() as u64 >= ROUNDS);
}
