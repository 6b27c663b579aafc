//! Stateless instances: two server processes on one PostgreSQL database,
//! behind a balancer that sends each connection to either at random. 50
//! tablets of two supervisors edit the same appraisals concurrently and sync
//! through both. Every tablet converges on the server's copy, no change is
//! lost or applied twice, each conflict is reported once — and the same by
//! either instance. HR sessions, the citizen form's tokens and its rate
//! limits hold across instances.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Barrier};

use prestasi_core::model::{Appraisal, DocId, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::sync::SyncClient;
use prestasi_e2e::{
    Balancer, ChildServer, Device, Hr, MANOKWARI, People, enroll, free_port, open_postgres, seed, test_database,
};

#[test]
fn child_server() {
    prestasi_e2e::run_child_server_if_asked();
}

const TABLETS: usize = 50;
const ROUNDS: usize = 3;
const PERIOD: &str = "2026-S2";

/// Sync through the balancer on a fresh connection (a new client), so each
/// sync lands on an instance at random.
fn sync(t: &Device) -> prestasi_core::sync::SyncReport {
    SyncClient::from_store(t.store.clone()).unwrap().sync_now().unwrap()
}

#[test]
fn two_instances_on_one_postgres_converge_under_concurrent_load() {
    let Some(url) = test_database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    let admin = open_postgres(&data, &url);
    seed(admin.as_ref());
    let servers = [
        ChildServer::start_on_postgres(&data, free_port(), &url),
        ChildServer::start_on_postgres(&data, free_port(), &url),
    ];
    let lb = Balancer::start(servers.iter().map(|s| s.url.clone()).collect(), 7);
    let p = People::of(MANOKWARI);

    // Half the tablets are unit A's head's, half unit B's.
    let tablets: Vec<Device> = (0..TABLETS)
        .map(|i| {
            let (boss, unit) = if i % 2 == 0 { (&p.boss_a, &p.unit_a) } else { (&p.boss_b, &p.unit_b) };
            enroll(admin.as_ref(), &lb.url, dir.path(), MANOKWARI, Role::Supervisor, boss, &[unit])
        })
        .collect();
    for t in &tablets {
        sync(t); // roster, and the enrolled person's key bound
    }

    // Every tablet of a supervisor works on the same three appraisals. In
    // round 0 all write offline before anyone syncs: truly concurrent edits
    // of `notes`, one conflict per appraisal.
    let barrier = Arc::new(Barrier::new(TABLETS));
    std::thread::scope(|s| {
        for (i, t) in tablets.iter().enumerate() {
            let (p, barrier) = (&p, barrier.clone());
            s.spawn(move || {
                for round in 0..ROUNDS {
                    let (boss, unit, staff) = if i % 2 == 0 {
                        (&p.boss_a, &p.unit_a, &p.staff_a)
                    } else {
                        (&p.boss_b, &p.unit_b, &p.staff_b)
                    };
                    let nip = Nip::parse(&staff[(i / 2 + round) % 3]).unwrap();
                    let id = DocId::for_appraisal(&nip, PERIOD);
                    if t.store.get::<Appraisal>(id).is_err() {
                        let a = Appraisal::new(nip.clone(), PERIOD, unit, Nip::parse(boss).unwrap()).unwrap();
                        t.store.create(id, &a, &t.author()).unwrap();
                    }
                    t.store
                        .update::<Appraisal>(id, &t.author(), |a| {
                            a.targets.push(SkpTarget::new(&format!("tablet {i} round {round}"), 1.0, "kali", false)?);
                            a.notes = format!("tablet {i} round {round}");
                            Ok(())
                        })
                        .unwrap();
                    if round == 0 {
                        barrier.wait();
                    }
                    let r = sync(t);
                    assert_eq!(r.rejected, 0, "tablet {i} round {round}: {r:?}");
                }
            });
        }
    });
    // Quiet now: two more syncs each bring every tablet up to date.
    for _ in 0..2 {
        for t in &tablets {
            sync(t);
        }
    }
    let routed: Vec<u64> = lb.routed.iter().map(|n| n.load(std::sync::atomic::Ordering::SeqCst)).collect();
    assert!(routed.iter().all(|n| *n > 20), "both instances served syncs: {routed:?}");

    // Six appraisals (three per unit), each with every edit made to it.
    let rows = admin
        .appraisals(MANOKWARI, &prestasi_server::storage::AppraisalFilter { period: Some(PERIOD.into()), unit: None })
        .unwrap();
    assert_eq!(rows.len(), 6, "one row per appraisal, none doubled");
    let mut expected_targets = 0;
    for row in &rows {
        let id: DocId = row.doc_id.parse().unwrap();
        let stored = admin.document(MANOKWARI, id).unwrap().unwrap();
        let server: Appraisal =
            prestasi_core::doc::Document::<Appraisal>::load(id, &stored.bytes).unwrap().value().unwrap();
        let names: Vec<&str> = server.targets.iter().map(|t| t.indicator.as_str()).collect();
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "{id}: no edit applied twice");
        expected_targets += names.len();
        for t in &tablets {
            if let Ok(mine) = t.store.get::<Appraisal>(id) {
                assert_eq!(mine, server, "{id}: a tablet holds the server's merged copy");
            }
        }
    }
    assert_eq!(expected_targets, TABLETS * ROUNDS, "every tablet's every edit is on the server");

    // Conflicts: once per (document, field), the same through either instance.
    let conflicts = admin.conflicts(MANOKWARI).unwrap();
    let keys: BTreeSet<(String, String)> = conflicts.iter().map(|c| (c.doc_id.clone(), c.path.clone())).collect();
    assert_eq!(keys.len(), conflicts.len(), "each conflict listed once");
    assert!(conflicts.iter().any(|c| c.path == "notes"), "the concurrent notes of round 0 are a conflict");
    let lists: Vec<serde_json::Value> =
        servers.iter().map(|s| Hr::login(&s.url, MANOKWARI).get("/v1/hr/conflicts")).collect();
    assert_eq!(lists[0], lists[1], "both instances report the same conflicts");
}

#[test]
fn sessions_form_tokens_and_rate_limits_hold_across_instances() {
    let Some(url) = test_database() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    seed(open_postgres(&data, &url).as_ref());
    let a = ChildServer::start_on_postgres(&data, free_port(), &url);
    let b = ChildServer::start_on_postgres(&data, free_port(), &url);

    // A session opened on one instance works on the other.
    let hr = Hr::login(&a.url, MANOKWARI);
    assert!(hr.on(&b.url).get("/v1/hr/appraisals")["appraisals"].is_array());

    let p = People::of(MANOKWARI);
    prestasi_e2e::citizen::token_from_one_instance_is_accepted_by_the_other(&a.url, &b.url, &p);
    assert_eq!(hr.get("/v1/hr/feedback/count")["count"], 1, "stored, not dropped as a bot's");
    let limit = prestasi_server::config::Limits::default().feedback_per_client;
    // One answer of this client is already counted.
    prestasi_e2e::citizen::rate_limit_is_shared(&a.url, &b.url, &p, limit - 1);
}
