//! A restore from a backup loses nothing any tablet still holds: the
//! backup is taken while tablets sync, more is acknowledged after it, the
//! database is restored (a new storage epoch), and one more sync of each
//! tablet brings every document back, bindings made after the backup
//! included (docs/PROTOCOL.md, "After a restore").
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use prestasi_core::model::{Appraisal, DocId, Role};
use prestasi_core::rules::nip::Nip;
use prestasi_e2e::{ChildServer, Device, MANOKWARI, People, enroll, free_port, open_storage, seed};
use prestasi_server::storage::StorageError;

fn appraise(tablet: &Device, p: &People, staff: &str, period: &str) -> DocId {
    let (staff, boss) = (Nip::parse(staff).unwrap(), Nip::parse(&tablet.client.credentials().user).unwrap());
    let unit = tablet.client.credentials().units[0].clone();
    let mut a = Appraisal::new(staff.clone(), period, &unit, boss).unwrap();
    a.notes = format!("catatan {period} oleh {}", p.tenant);
    let id = DocId::for_appraisal(&staff, period);
    tablet.store.create(id, &a, &tablet.author()).unwrap();
    id
}

fn note(tablet: &Device, id: DocId, text: &str) {
    tablet
        .store
        .update::<Appraisal>(id, &tablet.author(), |a| {
            a.notes = text.into();
            Ok(())
        })
        .unwrap();
}

/// Every document a tablet holds, with its heads (sorted hex, as the server
/// keeps them).
fn held(tablet: &Device) -> BTreeMap<DocId, String> {
    tablet
        .store
        .all_documents()
        .unwrap()
        .into_iter()
        .map(|(id, _)| {
            let doc = automerge::Automerge::load(&tablet.store.export(id).unwrap()).unwrap();
            let mut heads: Vec<String> = doc.get_heads().iter().map(|h| h.to_string()).collect();
            heads.sort();
            (id, heads.join(","))
        })
        .collect()
}

#[test]
fn child_server() {
    prestasi_e2e::run_child_server_if_asked();
}

/// How the scenario backs the database up (while a tablet syncs) and
/// restores it (servers stopped), returning the new epoch.
trait Backups {
    fn backup(&self, data: &Path);
    fn restore(&self, data: &Path) -> String;
}

/// The embedded database: `prestasi-server backup` / `restore`.
struct Sqlite(PathBuf);

impl Backups for Sqlite {
    fn backup(&self, data: &Path) {
        let info = prestasi_server::backup::backup(data, &self.0).unwrap();
        assert!(info.bytes > 0 && info.schema > 0);
    }

    fn restore(&self, data: &Path) -> String {
        {
            let _serving = prestasi_server::storage::sqlite::backup::lock_dir(data).unwrap();
            let refused = prestasi_server::backup::restore(data, &self.0).unwrap_err();
            assert!(matches!(refused, StorageError::Conflict(_)), "refused while serving: {refused:?}");
        }
        let restored = prestasi_server::backup::restore(data, &self.0).unwrap();
        assert!(restored.aside.join("prestasi.db").exists(), "the replaced database is kept aside");
        restored.epoch
    }
}

/// PostgreSQL: `pg_dump` of the server's schema, `pg_restore --clean`, then
/// `renew-epoch` (docs/DEPLOY.md).
struct Postgres {
    url: String,
    file: PathBuf,
}

fn pg_tool(name: &str) -> PathBuf {
    let installed = std::fs::read_dir("/usr/lib/postgresql").ok().into_iter().flatten().flatten();
    installed.map(|d| d.path().join("bin").join(name)).find(|p| p.exists()).unwrap_or_else(|| name.into())
}

fn run(cmd: &mut std::process::Command) {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

impl Backups for Postgres {
    fn backup(&self, data: &Path) {
        let schema = std::fs::read_to_string(data.join("postgres-schema")).unwrap();
        run(std::process::Command::new(pg_tool("pg_dump"))
            .args(["--format=custom", "--schema", &schema, "--file"])
            .arg(&self.file)
            .arg(&self.url));
    }

    fn restore(&self, data: &Path) -> String {
        run(std::process::Command::new(pg_tool("pg_restore"))
            .args(["--clean", "--if-exists", "--dbname", &self.url])
            .arg(&self.file));
        prestasi_server::backup::renew_epoch(open_storage(data).as_ref()).unwrap()
    }
}

#[test]
fn a_restore_loses_nothing_a_tablet_holds() {
    let dir = tempfile::tempdir().unwrap();
    match std::env::var(prestasi_e2e::E2E_DATABASE_ENV) {
        Ok(url) if !url.is_empty() => scenario(dir.path(), &Postgres { url, file: dir.path().join("prestasi.dump") }),
        _ => scenario(dir.path(), &Sqlite(dir.path().join("prestasi-backup.db"))),
    }
}

fn scenario(dir: &Path, backups: &dyn Backups) {
    let data = dir.join("server");
    let p = People::of(MANOKWARI);
    let storage = open_storage(&data); // as the admin CLI would open it
    seed(storage.as_ref());
    let port = free_port();
    let server = ChildServer::start(&data, port);
    let tablet =
        |boss: &str, unit: &str| enroll(storage.as_ref(), &server.url, dir, MANOKWARI, Role::Supervisor, boss, &[unit]);
    let (a1, a2, b) = (tablet(&p.boss_a, &p.unit_a), tablet(&p.boss_a, &p.unit_a), tablet(&p.boss_b, &p.unit_b));
    let late = tablet(&p.boss_b, &p.unit_b); // enrolled now, first sync after the backup

    let before: Vec<DocId> = vec![
        appraise(&a1, &p, &p.staff_a[0], "2026-01"),
        appraise(&a1, &p, &p.staff_a[1], "2026-01"),
        appraise(&b, &p, &p.staff_b[0], "2026-01"),
    ];
    for t in [&a1, &a2, &b] {
        t.client.sync_now().unwrap();
    }
    let epoch = prestasi_server::sync::epoch::current(storage.as_ref()).unwrap();

    // The backup runs while a tablet keeps syncing.
    std::thread::scope(|s| {
        let syncing = s.spawn(|| {
            for m in 2..6 {
                appraise(&a2, &p, &p.staff_a[2], &format!("2026-{m:02}"));
                a2.client.sync_now().unwrap();
            }
        });
        backups.backup(&data);
        syncing.join().unwrap();
    });

    // Acknowledged after the backup: new appraisals, an edit, a binding.
    let after = vec![
        appraise(&a1, &p, &p.staff_a[0], "2026-07"),
        appraise(&b, &p, &p.staff_b[1], "2026-07"),
        appraise(&late, &p, &p.staff_b[2], "2026-07"),
    ];
    note(&a1, before[0], "diubah setelah cadangan dibuat");
    for t in [&a1, &a2, &b, &late] {
        t.client.sync_now().unwrap();
        assert_eq!(t.store.unsynced_count().unwrap(), 0);
    }
    drop(storage);
    server.kill();

    let restored = backups.restore(&data);
    assert_ne!(restored, epoch);
    let _server = ChildServer::start(&data, port);
    let storage = open_storage(&data);
    for id in &after {
        assert!(storage.document(MANOKWARI, *id).unwrap().is_none(), "{id} was acknowledged after the backup");
    }

    // One more sync each: the first request is refused under the old epoch,
    // the second sends everything again.
    for t in [&late, &b, &a2, &a1] {
        let r = t.client.sync_now().unwrap();
        assert_eq!(r.round_trips, 2, "{r:?}");
        assert_eq!(r.rejected, 0, "{r:?}");
        assert_eq!(t.store.unsynced_count().unwrap(), 0);
    }
    // Everything any tablet holds is on the server, at the tablet's heads.
    let mut seen = 0;
    for t in [&a1, &a2, &b, &late] {
        for (id, heads) in held(t) {
            let stored = storage.document(MANOKWARI, id).unwrap().unwrap_or_else(|| panic!("{id} lost"));
            assert_eq!(stored.heads, heads, "{id}");
            seen += 1;
        }
    }
    assert!(seen > 20, "{seen}");
    for id in before.iter().chain(&after) {
        assert!(storage.document(MANOKWARI, *id).unwrap().is_some());
    }
    // The next sync is an ordinary one again.
    let r = a1.client.sync_now().unwrap();
    assert_eq!((r.round_trips, r.pushed), (1, 0), "{r:?}");
}

#[test]
fn a_restore_refuses_what_is_not_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("server");
    drop(prestasi_server::storage::sqlite::SqliteStorage::open(&data).unwrap());
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just bytes").unwrap();
    assert!(prestasi_server::backup::restore(&data, &junk).is_err());
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    assert!(prestasi_server::backup::restore(&data, &other).is_err(), "an SQLite file of another program");
    // The database in place is untouched, and opens.
    assert!(!data.join("restoring").exists());
    prestasi_server::storage::sqlite::SqliteStorage::open(&data).unwrap();
}
