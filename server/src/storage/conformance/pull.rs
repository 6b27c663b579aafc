//! The pull cursor: origin, scope, tenant, pages, compaction, concurrent
//! writers; and `fetch`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use prestasi_core::doc::DocKind;
use prestasi_core::model::{Appraisal, SkpTarget};

use super::dataset::{answer, appraisal, employee, training};
use super::*;

const T: &str = "manokwari";

fn q<'a>(cursor: u64, origin: &'a str, scope: &'a Scope) -> PullQuery<'a> {
    PullQuery { tenant: T, cursor, exclude_origin: origin, scope, max_bytes: 1 << 20 }
}

fn ids(p: PullPage) -> Vec<DocId> {
    p.docs.into_iter().map(|d| d.id).collect()
}

fn draft(period: &str) -> Appraisal {
    let mut a = appraisal(STAFF, period, "u1", BOSS);
    a.targets.push(SkpTarget::new("Indikator", 10.0, "berkas", true).unwrap());
    a
}

fn put_appraisal(s: &dyn Storage, tenant: &str, origin: &str, a: &Appraisal) -> (Doc<Appraisal>, u64) {
    let mut d = Doc::new(DocId::for_appraisal(&a.employee_nip, &a.period), a);
    let seq = d.put(s, tenant, origin, 1);
    (d, seq)
}

pub(super) fn pull_follows_cursor_origin_scope_and_tenant(s: &dyn Storage) {
    two_tenants(s);
    let mut a = draft("2026-Q3");
    a.reviewer_nip = Some(nip(REVIEWER));
    let (q3, seq1) = put_appraisal(s, T, "d1", &a);
    let (q3, q4) = (q3.id, {
        let other_unit = Appraisal { unit_id: "u9".into(), ..draft("2026-Q4") };
        put_appraisal(s, T, "d2", &other_unit).0.id
    });
    let fb = store(s, T, DocId::new(), &answer("u1", "KTP", [4; 9], 1, "", None), 1).id;
    let emp = store(s, T, DocId::new(), &employee(STAFF, "Rina", "u1", Some(BOSS)), 1).id;
    let tr = store(s, T, DocId::new(), &training(STAFF, "Latihan", "2026-01-01", "2026-01-01", 60), 1);
    let theirs = put_appraisal(s, "lhokseumawe", "d3", &draft("2026-Q3")).0.id;
    let all = Scope::Tenant;

    assert_eq!(
        ids(s.pull(&q(0, "hr", &all)).unwrap()),
        vec![q3, q4, fb, emp, tr.id],
        "the tenant's documents, in commit order"
    );
    assert_eq!(ids(s.pull(&q(0, "d1", &all)).unwrap()), vec![q4, fb, emp, tr.id], "own changes are not echoed");
    assert_eq!(ids(s.pull(&q(seq1, "hr", &all)).unwrap()), vec![q4, fb, emp, tr.id], "only what follows the cursor");
    let end = s.pull(&q(0, "hr", &all)).unwrap();
    assert!(!end.more, "everything fits in one page");
    let page = s.pull(&q(end.cursor, "hr", &all)).unwrap();
    assert!(page.docs.is_empty() && !page.more, "nothing after the last page's cursor");
    assert!(page.cursor >= end.cursor, "an empty page keeps the cursor");
    let page = s.pull(&q(end.cursor + 1000, "hr", &all)).unwrap();
    assert!(page.docs.is_empty() && !page.more, "nothing after a cursor past the end");

    let unit1 = supervisor(&["u1"], "199001012015011001");
    assert_eq!(
        ids(s.pull(&q(0, "hr", &unit1)).unwrap()),
        vec![q3, emp],
        "a supervisor: roster and appraisals of their units, not feedback or trainings"
    );
    assert_eq!(
        ids(s.pull(&q(0, "hr", &supervisor(&[], BOSS))).unwrap()),
        vec![q3, q4],
        "the appraiser sees their appraisals anywhere"
    );
    assert_eq!(
        ids(s.pull(&q(0, "hr", &supervisor(&[], REVIEWER))).unwrap()),
        vec![q3],
        "the reviewer sees what they review"
    );
    assert_eq!(ids(s.pull(&q(0, "hr", &supervisor(&["u1", "u9"], "x"))).unwrap()), vec![q3, q4, emp], "several units");
    let feedback_only = Scope::Units {
        units: vec!["u1".into()],
        user: BOSS.into(),
        unit_kinds: vec![DocKind::Feedback],
        assigned_kinds: Vec::new(),
    };
    assert_eq!(
        ids(s.pull(&q(0, "hr", &feedback_only)).unwrap()),
        vec![fb],
        "unit_kinds pick the kinds read by unit; assigned_kinds empty: none by person"
    );
    let page = s.pull(&q(0, "hr", &Scope::Nothing)).unwrap();
    assert!(page.docs.is_empty() && !page.more, "Scope::Nothing reads nothing and has nothing more");

    let mine = s.pull(&PullQuery { tenant: "lhokseumawe", ..q(0, "hr", &all) }).unwrap();
    assert_eq!(ids(mine), vec![theirs], "a pull stays in its tenant");
    let page = s.pull(&PullQuery { tenant: "nowhere", ..q(0, "hr", &all) }).unwrap();
    assert!(page.docs.is_empty() && !page.more, "an unknown tenant has nothing");
}

pub(super) fn pull_sends_the_changes_after_the_cursor(s: &dyn Storage) {
    two_tenants(s);
    let a = draft("2026-Q3");
    let mut d = Doc::new(DocId::for_appraisal(&a.employee_nip, &a.period), &a);
    let mut chunks = Vec::new();
    let mut positions = Vec::new();
    let mut device_has = Vec::new();
    for (i, origin) in ["d1", "d2", "d1", "d2"].into_iter().enumerate() {
        if i > 0 {
            d.edit(|x| x.targets[0].realisation = Some(i as f64));
        }
        let w = d.write(T, origin, 1);
        if i < 3 {
            device_has.extend_from_slice(&w.chunk);
        }
        chunks.push(change_hashes(&w.chunk));
        positions.push(append(s, &w));
    }
    let hashes = |cursor, origin| {
        let page = s.pull(&q(cursor, origin, &Scope::Tenant)).unwrap();
        page.docs.iter().flat_map(|x| change_hashes(&x.bytes)).collect::<Vec<_>>()
    };
    assert_eq!(hashes(0, "hr"), chunks.concat(), "from 0: every change once, in order");
    assert_eq!(
        hashes(positions[1], "hr"),
        [chunks[2].clone(), chunks[3].clone()].concat(),
        "after a chunk: the later ones"
    );
    assert_eq!(
        hashes(0, "d1"),
        [chunks[1].clone(), chunks[3].clone()].concat(),
        "another device's chunks only, of one document"
    );
    assert!(hashes(positions[3], "hr").is_empty(), "nothing after the last");
    // Device d1 synced after the second chunk, then wrote the third: it pulls the fourth.
    let page = s.pull(&q(positions[1], "d1", &Scope::Tenant)).unwrap();
    let mut copy = Document::<Appraisal>::load(d.id, &device_has).unwrap();
    copy.apply(&page.docs[0].bytes).unwrap();
    assert_eq!(copy.value().unwrap().targets[0].realisation, Some(3.0), "pulled bytes apply as automerge changes");
    assert_eq!(copy.heads(), d.doc.heads(), "and bring the device to the stored heads");
}

pub(super) fn pull_pages_by_size(s: &dyn Storage) {
    two_tenants(s);
    let mut written = Vec::new();
    for p in ["2026-01", "2026-02", "2026-03", "2026-04"] {
        written.push(put_appraisal(s, T, "d1", &draft(p)).0.id);
    }
    let mut cursor = 0;
    let mut seen = Vec::new();
    for _ in 0..10 {
        let page = s.pull(&PullQuery { max_bytes: 1, ..q(cursor, "x", &Scope::Tenant) }).unwrap();
        assert!(!page.docs.is_empty() || !page.more, "a page that says more carries something");
        seen.extend(page.docs.iter().map(|d| d.id));
        assert!(page.cursor > cursor || !page.more, "each page moves the cursor on");
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, written, "one document per page, none lost or repeated");
    let page = s.pull(&q(0, "x", &Scope::Tenant)).unwrap();
    assert_eq!((ids(page.clone()), page.more), (written.clone(), false), "a large page takes everything at once");
    let page = s.pull(&PullQuery { max_bytes: 1, ..q(0, "d1", &Scope::Tenant) }).unwrap();
    assert!(page.docs.is_empty() && !page.more, "own chunks skipped: nothing, and nothing more");
}

pub(super) fn compaction_keeps_every_change_reachable(s: &dyn Storage) {
    two_tenants(s);
    let a = draft("2026-Q3");
    let mut d = Doc::new(DocId::for_appraisal(&a.employee_nip, &a.period), &a);
    let id = d.id;
    let first = d.write(T, "d1", 1);
    let seq1 = append(s, &first);
    let mut positions = vec![seq1];
    let mut after_compaction = Vec::new();
    for i in 0..3 {
        d.edit(|x| x.targets[0].realisation = Some(f64::from(i)));
        let mut w = d.write(T, "d2", 1);
        if i == 1 {
            w.compacted = Some(d.doc.save());
        }
        if i == 2 {
            after_compaction = change_hashes(&w.chunk);
        }
        positions.push(append(s, &w));
    }
    let stored = s.document(T, id).unwrap().unwrap();
    assert_eq!(stored.chunk_count, 1, "chunk_count counts the chunks since the last compaction");
    assert_eq!(stored.heads, d.heads_text(), "heads after a compaction");
    let loaded = Document::<Appraisal>::load(id, &stored.bytes).unwrap();
    assert_eq!(loaded.value().unwrap().targets[0].realisation, Some(2.0), "snapshot and later chunks load");

    // A device that last synced before the compaction still gets everything.
    let page = s.pull(&q(seq1, "d1", &Scope::Tenant)).unwrap();
    let mut device = Document::<Appraisal>::load(id, &first.chunk).unwrap();
    device.apply(&page.docs[0].bytes).unwrap();
    assert_eq!(
        device.value().unwrap().targets[0].realisation,
        Some(2.0),
        "a device from before the compaction catches up"
    );
    assert_eq!(device.heads(), d.doc.heads(), "with every change");
    // From 0: every change, each once.
    let (all, _) = pull_all(s, T, 0, "x", &Scope::Tenant);
    let mut pulled = change_hashes(&all[&id]);
    pulled.sort();
    let mut want = d.hashes();
    want.sort();
    assert_eq!(pulled, want, "from 0 after a compaction: every change of the document, each once");
    // After the compaction: only what came later.
    let page = s.pull(&q(positions[2], "x", &Scope::Tenant)).unwrap();
    assert_eq!(
        change_hashes(&page.docs[0].bytes),
        after_compaction,
        "after the compaction's cursor: the later chunk only"
    );
    let fetched = s.fetch(T, &[id], &Scope::Tenant).unwrap();
    let f = Document::<Appraisal>::load(id, &fetched[0].bytes).unwrap();
    // A compaction as the newest write: its page's cursor moves past it, so
    // the next pull sends nothing again.
    d.edit(|x| x.notes = "dipadatkan".into());
    let mut w = d.write(T, "d2", 1);
    w.compacted = Some(d.doc.save());
    let last = append(s, &w);
    let page = s.pull(&q(positions[3], "x", &Scope::Tenant)).unwrap();
    assert!(!page.docs.is_empty() && !page.more, "the compacted document is sent");
    assert_eq!(page.cursor, last, "the cursor reaches the compaction's position");
    let again = s.pull(&q(page.cursor, "x", &Scope::Tenant)).unwrap();
    assert!(again.docs.is_empty(), "nothing is sent twice after a compaction");
    assert_eq!(f.value().unwrap().targets[0].realisation, Some(2.0), "fetch after a compaction: the whole document");
}

/// Positions are counted per tenant: a tenant's chunks are numbered 1, 2,
/// 3, … in its own commit order, so a device's cursor (and the gaps between
/// the positions it is given) says nothing of another tenant's writes, and
/// another tenant's writes, compactions and failed writes never move it.
pub(super) fn each_tenant_counts_its_own_positions(s: &dyn Storage) {
    const OTHERS: &str = "lhokseumawe";
    two_tenants(s);
    let all = Scope::Tenant;
    let page = |tenant: &'static str, cursor| s.pull(&PullQuery { tenant, ..q(cursor, "x", &all) }).unwrap();
    assert_eq!((page(T, 0).cursor, page(OTHERS, 0).cursor), (0, 0), "nothing written: both tenants at 0");

    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    for (i, tenant) in [T, OTHERS, OTHERS, T, OTHERS, OTHERS, OTHERS, T].into_iter().enumerate() {
        let (_, position) = put_appraisal(s, tenant, "d1", &draft(&format!("2026-{:02}", i + 1)));
        if tenant == T { mine.push(position) } else { theirs.push(position) }
    }
    assert_eq!(mine, [1, 2, 3], "a tenant's positions are 1, 2, 3 in its commit order, whatever others wrote");
    assert_eq!(theirs, [1, 2, 3, 4, 5], "and the other tenant's too");
    let end = page(T, 0);
    assert_eq!((end.docs.len(), end.cursor, end.more), (3, 3, false), "the cursor is the tenant's own count");
    assert_eq!(page(OTHERS, 0).cursor, 5);
    assert_eq!(
        ids(page(T, 1)),
        ids(page(T, 0)).into_iter().skip(1).collect::<Vec<_>>(),
        "a cursor of 1 skips the tenant's first chunk only"
    );

    // The other tenant writes, compacts, and fails a write: the first
    // tenant's cursor stays where it was, and its next page is empty.
    let (mut d, _) = put_appraisal(s, OTHERS, "d2", &draft("2027-01"));
    for i in 0..3 {
        d.edit(|x| x.notes = format!("edit {i}"));
        let mut w = d.write(OTHERS, "d2", 1);
        if i == 1 {
            w.compacted = Some(d.doc.save());
        }
        append(s, &w);
    }
    d.edit(|x| x.notes = "never committed".into());
    let w = d.write(OTHERS, "d2", 1);
    let failed = s.write(&mut |tx| {
        tx.append(&w)?;
        Err(StorageError::Backend("refused after the append".into()))
    });
    assert!(failed.is_err());
    let after = page(T, end.cursor);
    assert_eq!(
        (after.docs.len(), after.cursor, after.more),
        (0, end.cursor, false),
        "another tenant's writes do not move this tenant's cursor"
    );
    assert_eq!(page(T, 0).cursor, 3, "nor its high-water mark from 0");
    assert_eq!(page(OTHERS, 0).cursor, 9, "the other tenant counted its own four writes, not the failed one");
    assert_eq!(page(OTHERS, 9).docs.len(), 0);

    // A rolled-back position is handed out again: no gap tells of it.
    let (_, next) = put_appraisal(s, OTHERS, "d2", &draft("2027-02"));
    assert_eq!(next, 10, "the failed write left no gap");
    let (_, next) = put_appraisal(s, T, "d1", &draft("2027-03"));
    assert_eq!(next, 4, "and the first tenant goes on from its own count");
    let scoped = s.pull(&q(3, "x", &supervisor(&["u1"], BOSS))).unwrap();
    assert_eq!((ids(scoped.clone()).len(), scoped.cursor), (1, 4), "a supervisor's page ends at the tenant's count");
    let nobody = s.pull(&PullQuery { tenant: "nowhere", ..q(0, "x", &all) }).unwrap();
    assert_eq!(nobody.cursor, 0, "a tenant with nothing is at 0, whatever the others wrote");
}

pub(super) fn fetch_returns_whole_documents_in_scope(s: &dyn Storage) {
    two_tenants(s);
    let (mut q3, _) = put_appraisal(s, T, "d1", &draft("2026-Q3"));
    q3.edit(|x| x.notes = "Kedua".into());
    q3.put(s, T, "d2", 2);
    let (mut q4, _) = put_appraisal(s, T, "d1", &Appraisal { unit_id: "u9".into(), ..draft("2026-Q4") });
    let unknown = DocId::new();
    let mut got = s.fetch(T, &[q3.id, unknown, q4.id], &Scope::Tenant).unwrap();
    got.sort_by_key(|d| d.id);
    let mut want = vec![q3.id, q4.id];
    want.sort();
    assert_eq!(
        got.iter().map(|d| d.id).collect::<Vec<_>>(),
        want,
        "the known documents asked for, unknown ids skipped"
    );
    for d in &got {
        assert_eq!(d.kind, DocKind::Appraisal, "fetch names the kind");
        let mut loaded = Document::<Appraisal>::load(d.id, &d.bytes).unwrap();
        let heads = if d.id == q3.id { q3.doc.heads() } else { q4.doc.heads() };
        assert_eq!(loaded.heads(), heads, "fetch sends the whole document, own changes included");
    }
    let unit1 = supervisor(&["u1"], "199001012015011001");
    let got: Vec<_> = s.fetch(T, &[q3.id, q4.id], &unit1).unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(got, vec![q3.id], "fetch only inside the scope");
    assert!(s.fetch(T, &[q3.id], &Scope::Nothing).unwrap().is_empty(), "Scope::Nothing fetches nothing");
    assert!(s.fetch("lhokseumawe", &[q3.id, q4.id], &Scope::Tenant).unwrap().is_empty(), "fetch stays in its tenant");
    assert!(s.fetch(T, &[], &Scope::Tenant).unwrap().is_empty(), "nothing asked, nothing sent");
}

pub(super) fn scope_follows_the_current_read_keys(s: &dyn Storage) {
    two_tenants(s);
    let mut e = store(s, T, DocId::new(), &employee(OTHER, "Dewi", "u1", None), 1);
    let (u1, u2) = (supervisor(&["u1"], BOSS), supervisor(&["u2"], BOSS));
    assert!(pull_all(s, T, 0, "x", &u1).0.contains_key(&e.id), "in u1's scope while in u1");
    e.edit(|x| x.unit_id = "u2".into());
    e.put(s, T, "hr", 2);
    assert!(!pull_all(s, T, 0, "x", &u1).0.contains_key(&e.id), "out of u1's scope once moved");
    let (moved, _) = pull_all(s, T, 0, "x", &u2);
    let mut pulled = change_hashes(&moved[&e.id]);
    pulled.sort();
    let mut all = e.hashes();
    all.sort();
    assert_eq!(pulled, all, "the new unit's scope gets the whole document from 0");
    assert_eq!(s.fetch(T, &[e.id], &u1).unwrap().len(), 0, "fetch follows the read keys too");
    // An appraisal whose reviewer changes.
    let mut a = draft("2026-Q3");
    a.unit_id = "u9".into();
    a.reviewer_nip = Some(nip(REVIEWER));
    let (mut d, _) = put_appraisal(s, T, "hr", &a);
    let reviewer = supervisor(&[], REVIEWER);
    assert!(pull_all(s, T, 0, "x", &reviewer).0.contains_key(&d.id), "the reviewer's scope");
    d.edit(|x| x.reviewer_nip = Some(nip(OTHER)));
    d.put(s, T, "hr", 3);
    assert!(!pull_all(s, T, 0, "x", &reviewer).0.contains_key(&d.id), "no longer the reviewer");
    assert!(pull_all(s, T, 0, "x", &supervisor(&[], OTHER)).0.contains_key(&d.id), "the new reviewer's scope");
}

/// Counts a writer thread as finished when it ends, however it ends.
struct Finished<'a>(&'a AtomicUsize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Writer threads append chunks (each a real automerge change) while one
/// reader pages with its own cursor; when the writers are done and a page
/// says nothing more, the reader must have seen every other writer's change
/// exactly once. Each writer sleeps inside its transaction after its first
/// append, so a backend whose positions are handed out before commit (a
/// sequence) and whose cursor is not the commit order lets the reader move
/// past a position that commits later: a skipped change.
pub(super) fn concurrent_writers_never_make_a_reader_skip_or_repeat(s: &dyn Storage) {
    const WRITERS: usize = 4;
    const WRITES: usize = 24;
    const OTHERS: &str = "lhokseumawe";
    two_tenants(s);
    // One document per writer and one they all write to, in both tenants
    // (same ids), created before the writers start.
    let mut expected: Vec<(DocId, ChangeHash)> = Vec::new();
    let mut saved = Vec::new();
    for w in 0..=WRITERS {
        let a = draft(&format!("2026-{:02}", w + 1));
        let (mut d, _) = put_appraisal(s, T, "setup", &a);
        put_appraisal(s, OTHERS, "setup", &a);
        expected.extend(d.hashes().into_iter().map(|h| (d.id, h)));
        saved.push((d.id, d.doc.save()));
    }
    let copy = |i: usize| Doc::<Appraisal> { id: saved[i].0, doc: Document::load(saved[i].0, &saved[i].1).unwrap() };
    let finished = AtomicUsize::new(0);
    let mut own: Vec<(DocId, ChangeHash)> = Vec::new();
    let mut seen: Vec<(DocId, ChangeHash)> = Vec::new();
    let mut pages = 0usize;
    let written: Vec<(DocId, ChangeHash)> = std::thread::scope(|scope| {
        let writer = |w: usize, tenant: &'static str| {
            let (copy, finished) = (&copy, &finished);
            scope.spawn(move || {
                // Counted as finished even if it panics, so the reader stops.
                let _done = Finished(finished);
                let origin = format!("{tenant}-w{w}");
                let (mut mine, mut shared) = (copy(w), copy(WRITERS));
                // Each writer its own automerge actor, as each device has.
                let author = hr_on(20 + u8::try_from(w).unwrap() + if tenant == T { 0 } else { 10 });
                let mut out = Vec::new();
                for i in 0..WRITES {
                    let mut writes = Vec::new();
                    mine.edit_by(&author, |x| x.notes = format!("{origin} {i}"));
                    writes.push(mine.write(tenant, &origin, 1));
                    if i % 3 == 0 {
                        // Two chunks of one document in one transaction.
                        mine.edit_by(&author, |x| x.targets[0].realisation = Some(i as f64));
                        writes.push(mine.write(tenant, &origin, 1));
                    }
                    shared.edit_by(&author, |x| x.notes = format!("{origin} {i}"));
                    writes.push(shared.write(tenant, &origin, 1));
                    s.write(&mut |tx| {
                        for (n, w) in writes.iter().enumerate() {
                            tx.append(w)?;
                            if n == 0 {
                                // Hold the transaction open after taking a position.
                                std::thread::sleep(Duration::from_millis(1));
                            }
                        }
                        Ok(())
                    })
                    .unwrap();
                    for w in &writes {
                        out.extend(change_hashes(&w.chunk).into_iter().map(|h| (w.id, h)));
                    }
                }
                out
            })
        };
        let handles: Vec<_> = (0..WRITERS).map(|w| writer(w, T)).collect();
        let other_tenant = writer(0, OTHERS);
        // The reader: a device of the tenant that also writes now and then.
        let mut reader = copy(WRITERS);
        let mut cursor = 0;
        loop {
            let done = finished.load(Ordering::SeqCst) == WRITERS + 1;
            if !done && pages.is_multiple_of(7) {
                reader.edit_by(&hr_on(99), |x| x.notes = format!("reader {pages}"));
                let w = reader.write(T, "reader", 1);
                append(s, &w);
                own.extend(change_hashes(&w.chunk).into_iter().map(|h| (w.id, h)));
            }
            let page = s
                .pull(&PullQuery { tenant: T, cursor, exclude_origin: "reader", scope: &Scope::Tenant, max_bytes: 600 })
                .unwrap();
            assert!(page.cursor >= cursor, "the cursor never goes back ({} after {cursor})", page.cursor);
            for d in &page.docs {
                seen.extend(change_hashes(&d.bytes).into_iter().map(|h| (d.id, h)));
            }
            cursor = page.cursor;
            pages += 1;
            if done && !page.more {
                break;
            }
            assert!(pages < 1_000_000, "the reader never reached the end");
        }
        other_tenant.join().unwrap();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    expected.extend(written);
    let count = |v: &[(DocId, ChangeHash)]| {
        let mut m: BTreeMap<(DocId, ChangeHash), usize> = BTreeMap::new();
        for x in v {
            *m.entry(*x).or_default() += 1;
        }
        m
    };
    let (want, got) = (count(&expected), count(&seen));
    let missing = want.keys().filter(|k| !got.contains_key(k)).count();
    let repeated = got.values().filter(|n| **n > 1).count();
    let echoed = own.iter().filter(|k| got.contains_key(k)).count();
    let foreign = got.keys().filter(|k| !want.contains_key(k)).count() - echoed;
    assert_eq!(
        (missing, repeated, echoed, foreign),
        (0, 0, 0, 0),
        "over {pages} pages: (skipped, repeated, own echoed, not of this tenant) of {} changes written by others",
        want.len()
    );
    assert_eq!(got, want, "every change written by others, exactly once");
}
