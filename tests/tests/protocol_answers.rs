//! The answers of docs/PROTOCOL.md, "Questions implementers ask", checked
//! against a real server: what the reference client sends after an accepted
//! merge, re-sending refused documents until their cause is gone, and what
//! a fetch outside the device's read scope returns.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use automerge::{AutoCommit, Change, ChangeHash};
use chrono::Utc;
use prestasi_core::model::{Appraisal, Channel, DocId, Feedback, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::rules::skm::Scores;
use prestasi_core::store::SyncState;
use prestasi_core::sync::protocol::{
    self, PROTOCOL_VERSION, PushDoc, PushOutcome, RejectCode, SyncRequest, SyncResponse,
};
use prestasi_e2e::{Device, LHOKSEUMAWE, MANOKWARI, People, World, nip};

const PERIOD: &str = "2026-Q3";

// --- What goes over the wire -------------------------------------------------

/// One HTTP exchange the recording proxy forwarded.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    request: Vec<u8>,
    status: u16,
    zstd: bool,
    answer: Vec<u8>,
}

/// An HTTP/1.1 proxy in front of the server that forwards every request
/// unchanged and records it with its answer, so a test sees exactly what
/// the real client sent and got.
struct Wire {
    url: String,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Wire {
    fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let (upstream, kept) = (upstream.to_string(), log.clone());
        std::thread::spawn(move || {
            let http = reqwest::blocking::Client::builder().no_proxy().build().unwrap();
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let (http, upstream, kept) = (http.clone(), upstream.clone(), kept.clone());
                std::thread::spawn(move || relay(conn, &http, &upstream, &kept));
            }
        });
        Self { url, log }
    }

    fn clear(&self) {
        self.log.lock().unwrap().clear();
    }

    /// Every sync request recorded since [`Wire::clear`] with its answer,
    /// whether it went as one `POST /v1/sync` or as a resumable upload (its
    /// parts put together again).
    fn syncs(&self) -> Vec<(SyncRequest, SyncResponse)> {
        let log = self.log.lock().unwrap().clone();
        let mut uploads: HashMap<String, Vec<u8>> = HashMap::new();
        let mut out = Vec::new();
        for x in log {
            let path = x.path.split('?').next().unwrap().to_string();
            let upload = path.strip_prefix(protocol::UPLOADS_PATH).and_then(|p| p.strip_prefix('/'));
            let body = match (x.method.as_str(), upload) {
                ("POST", _) if path == protocol::SYNC_PATH => x.request.clone(),
                ("POST", Some(rest)) if rest.ends_with("/sync") => {
                    uploads.remove(rest.trim_end_matches("/sync")).unwrap_or_default()
                }
                ("PUT" | "PATCH", Some(id)) => {
                    if x.status == 200 {
                        uploads.entry(id.to_string()).or_default().extend_from_slice(&x.request);
                    }
                    continue;
                }
                _ => continue,
            };
            assert_eq!(x.status, 200, "{} {}", x.method, x.path);
            let req = protocol::decode(&zstd::decode_all(body.as_slice()).unwrap()).unwrap();
            let answer = if x.zstd { zstd::decode_all(x.answer.as_slice()).unwrap() } else { x.answer.clone() };
            out.push((req, protocol::decode(&answer).unwrap()));
        }
        out
    }

    /// The one recorded sync that pushed `id`: what was pushed, and the
    /// answer's result and docs for it.
    fn push_of(&self, id: DocId) -> (PushDoc, PushOutcome, SyncResponse) {
        let mut found: Vec<_> = self
            .syncs()
            .into_iter()
            .filter_map(|(req, resp)| {
                let pushed = req.push.into_iter().find(|d| d.id.as_slice() == id.as_bytes())?;
                let outcome = resp.results.iter().find(|r| r.id.as_slice() == id.as_bytes())?.outcome.clone();
                Some((pushed, outcome, resp))
            })
            .collect();
        assert_eq!(found.len(), 1, "{id} pushed once, with a result for it");
        found.pop().unwrap()
    }
}

fn relay(conn: TcpStream, http: &reqwest::blocking::Client, upstream: &str, log: &Mutex<Vec<Exchange>>) {
    let mut out = conn.try_clone().unwrap();
    let mut input = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (parts.next().unwrap().to_string(), parts.next().unwrap().to_string());
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            input.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (name, value) = h.split_once(':').unwrap();
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        assert!(!headers.iter().any(|(n, _)| n == "transfer-encoding"), "chunked requests are not relayed");
        let len = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
        let mut request = vec![0; len];
        input.read_exact(&mut request).unwrap();

        let mut to = http.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{upstream}{path}"));
        for (name, value) in &headers {
            if !matches!(name.as_str(), "host" | "content-length" | "connection" | "keep-alive") {
                to = to.header(name, value);
            }
        }
        let Ok(resp) = to.body(request.clone()).send() else { return };
        let status = resp.status();
        let mut head = format!("HTTP/1.1 {} {}\r\n", status.as_u16(), status.canonical_reason().unwrap_or(""));
        let mut zstd = false;
        for (name, value) in resp.headers() {
            if matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection" | "keep-alive") {
                continue;
            }
            zstd |= name == "content-encoding" && value == "zstd";
            head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
        }
        let Ok(answer) = resp.bytes() else { return };
        head.push_str(&format!("content-length: {}\r\n\r\n", answer.len()));
        log.lock().unwrap().push(Exchange {
            method,
            path,
            request,
            status: status.as_u16(),
            zstd,
            answer: answer.to_vec(),
        });
        if out.write_all(head.as_bytes()).and_then(|()| out.write_all(&answer)).is_err() {
            return;
        }
    }
}

/// The automerge changes in pushed or pulled bytes (change chunks, saved
/// documents, or both one after the other), split chunk by chunk.
fn changes_in(bytes: &[u8]) -> Vec<Change> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    let (mut out, mut rest) = (Vec::new(), bytes);
    while !rest.is_empty() {
        assert_eq!(rest[..4], MAGIC, "an automerge chunk");
        // magic, checksum, chunk type, then the data's length (LEB128).
        let (mut at, mut len, mut shift) = (9, 0usize, 0);
        loop {
            let b = rest[at];
            at += 1;
            len |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        let (chunk, tail) = rest.split_at(at + len);
        match chunk[8] {
            0 => out.extend(AutoCommit::load(chunk).unwrap().get_changes(&[])),
            1 | 2 => out.push(Change::try_from(chunk).unwrap()),
            other => panic!("chunk type {other}"),
        }
        rest = tail;
    }
    out
}

fn hashes(changes: &[Change]) -> BTreeSet<ChangeHash> {
    changes.iter().map(Change::hash).collect()
}

/// The heads the pushed changes bring a document to: those no other pushed
/// change depends on.
fn tips(changes: &[Change]) -> BTreeSet<ChangeHash> {
    let deps: BTreeSet<ChangeHash> = changes.iter().flat_map(|c| c.deps().to_vec()).collect();
    hashes(changes).difference(&deps).copied().collect()
}

fn heads_set(heads: &[protocol::ByteBuf]) -> BTreeSet<ChangeHash> {
    heads.iter().map(|h| ChangeHash::try_from(h.as_slice()).unwrap()).collect()
}

// --- The devices' side --------------------------------------------------------

fn heads(d: &Device, id: DocId) -> BTreeSet<ChangeHash> {
    d.store.document::<Appraisal>(id).unwrap().heads().into_iter().collect()
}

/// Every change of `d`'s copy of `id` after `base`.
fn changes_after(d: &Device, id: DocId, base: &BTreeSet<ChangeHash>) -> BTreeSet<ChangeHash> {
    let base: Vec<ChangeHash> = base.iter().copied().collect();
    hashes(&AutoCommit::load(&d.store.export(id).unwrap()).unwrap().get_changes(&base))
}

fn edit(d: &Device, id: DocId, f: impl FnOnce(&mut Appraisal)) {
    d.store
        .update::<Appraisal>(id, &d.author(), |a| {
            f(a);
            Ok(())
        })
        .unwrap();
}

/// A new appraisal of `staff` by `appraiser` on `d`.
fn start_appraisal(d: &Device, staff: &str, appraiser: &str, unit: &str) -> DocId {
    let staff = Nip::parse(staff).unwrap();
    let id = DocId::for_appraisal(&staff, PERIOD);
    let mut a = Appraisal::new(staff, PERIOD, unit, Nip::parse(appraiser).unwrap()).unwrap();
    a.targets.push(SkpTarget::new("Arsip", 5.0, "berkas", true).unwrap());
    d.store.create(id, &a, &d.author()).unwrap();
    id
}

fn on_server(w: &World, tenant: &str, id: DocId) -> bool {
    w.server.storage.appraisals(tenant, &Default::default()).unwrap().iter().any(|r| r.doc_id == id.to_string())
}

// --- The questions ------------------------------------------------------------

#[test]
fn the_next_push_after_an_accepted_merge_sends_only_new_changes() {
    let w = World::start();
    let p = &w.people;
    let wire = Wire::start(&w.server.url);
    let a = w.supervisor_a();
    let b = w.supervisor_a_at(&wire.url); // B's traffic is recorded
    let id = start_appraisal(&a, &p.staff_a[0], &p.boss_a, &p.unit_a);
    assert_eq!(a.client.sync_now().unwrap().accepted, 1);
    b.client.sync_now().unwrap();
    assert_eq!(heads(&b, id), heads(&a, id), "both tablets hold the appraisal");

    // Offline, each edits it; A syncs first.
    edit(&a, id, |x| x.notes = "catatan dari tablet A".into());
    edit(&b, id, |x| x.hasil_kerja = Some(Rating::DiAtasEkspektasi));
    let by_a = heads(&a, id);
    assert_eq!(a.client.sync_now().unwrap().accepted, 1);

    // B syncs without A's change: the accepted heads are the server's after
    // the merge, not the heads B sent.
    let held_by_b = heads(&b, id);
    wire.clear();
    b.client.sync_now().unwrap();
    let (first, outcome, answer) = wire.push_of(id);
    let first = changes_in(&first.changes);
    let sent = tips(&first);
    assert_eq!(sent, held_by_b, "B's push brings the server to B's heads");
    let PushOutcome::Accepted { heads: accepted } = outcome else { panic!("{outcome:?}") };
    let accepted = heads_set(&accepted);
    assert_ne!(accepted, sent, "the accepted heads are not the heads B sent");
    assert!(by_a.is_subset(&accepted), "they name A's change: {accepted:?} {by_a:?}");
    assert!(sent.is_subset(&accepted));
    assert!(by_a.is_disjoint(&hashes(&first)), "which B did not have when it sent");
    let pulled = answer.docs.iter().find(|d| d.id.as_slice() == id.as_bytes()).expect("A's change in the answer");
    assert!(by_a.is_subset(&hashes(&changes_in(&pulled.changes))));
    assert_eq!(heads(&b, id), accepted, "B applied it from the answer's docs");
    assert_eq!(b.store.status(id).unwrap().sync, SyncState::OnServer);

    // B edits again: its next push carries only its new change. Its base
    // is the heads it sent plus A's change, which it pulled from the server
    // (so the server holds it): none of what the server acknowledged or sent
    // comes back, and not the whole document.
    edit(&b, id, |x| x.perilaku = Some(Rating::SesuaiEkspektasi));
    let new_by_b = changes_after(&b, id, &accepted);
    assert_eq!(new_by_b.len(), 1, "one edit, one change");
    wire.clear();
    assert_eq!(b.client.sync_now().unwrap().accepted, 1);
    let (second, outcome, _) = wire.push_of(id);
    let second = changes_in(&second.changes);
    let pushed = hashes(&second);
    assert_eq!(pushed.len(), second.len(), "no change twice");
    assert_eq!(pushed, new_by_b, "exactly B's new change");
    assert!(changes_after(&b, id, &sent).is_superset(&pushed), "within the changes after the heads B sent");
    assert!(pushed.is_disjoint(&by_a), "A's change, pulled from the server, is not sent back");
    assert!(pushed.is_disjoint(&hashes(&first)), "nothing the server acknowledged from B");
    let whole = hashes(&changes_in(&b.store.export(id).unwrap()));
    assert!(pushed.len() < whole.len(), "{} of {} changes", pushed.len(), whole.len());
    let PushOutcome::Accepted { heads: accepted } = outcome else { panic!("{outcome:?}") };
    assert_eq!(heads_set(&accepted), heads(&b, id));

    // Both converge.
    a.client.sync_now().unwrap();
    assert_eq!(heads(&a, id), heads(&b, id));
    assert_eq!(a.store.get::<Appraisal>(id).unwrap(), b.store.get::<Appraisal>(id).unwrap());
    let merged = b.store.get::<Appraisal>(id).unwrap();
    assert_eq!(merged.notes, "catatan dari tablet A");
    assert_eq!((merged.hasil_kerja, merged.perilaku), (Some(Rating::DiAtasEkspektasi), Some(Rating::SesuaiEkspektasi)));
    for d in [&a, &b] {
        assert_eq!(d.store.status(id).unwrap().sync, SyncState::OnServer);
    }
}

#[test]
fn a_rejected_document_is_sent_again_and_accepted_once_its_cause_is_gone() {
    let w = World::start();
    let (p, storage) = (&w.people, w.server.storage.as_ref());
    let wire = Wire::start(&w.server.url);
    let t = w.supervisor_a_at(&wire.url);
    t.client.sync_now().unwrap();
    // A newcomer to unit A whom BKPSDM has not imported yet.
    let newcomer = nip(150);
    let id = start_appraisal(&t, &newcomer, &p.boss_a, &p.unit_a);

    // Refused at every sync while the cause remains: sent again each time,
    // answered with the same refusal, nothing stored.
    let mut refusals = Vec::new();
    for _ in 0..2 {
        wire.clear();
        let r = t.client.sync_now().unwrap();
        assert_eq!((r.pushed, r.accepted, r.rejected), (1, 0, 1), "{r:?}");
        let (pushed, outcome, _) = wire.push_of(id);
        assert_eq!(tips(&changes_in(&pushed.changes)), heads(&t, id), "the device's changes, sent again");
        let PushOutcome::Rejected(refusal) = outcome else { panic!("{outcome:?}") };
        assert_eq!(refusal.code, RejectCode::UnknownEmployee, "{refusal:?}");
        let status = t.store.status(id).unwrap().sync;
        assert!(matches!(status, SyncState::Rejected { ref code, .. } if code == "unknown_employee"), "{status:?}");
        assert!(!on_server(&w, MANOKWARI, id));
        refusals.push(refusal);
    }
    assert_eq!(refusals[0], refusals[1], "the same refusal");

    // BKPSDM imports the newcomer into unit A, under its head.
    let server = prestasi_server::state::server_identity(storage).unwrap();
    let csv = format!(
        "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;NIP_ATASAN\n\
         {newcomer};Staf Baru;{u};Unit {u};{MANOKWARI};Pemerintah {MANOKWARI};pelaksana;Staf;III/a;{}\n",
        p.boss_a,
        u = p.unit_a,
    );
    let report = prestasi_server::admin::import_employees(storage, &server, MANOKWARI, csv.as_bytes()).unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    // The next sync sends it again, and it is accepted.
    wire.clear();
    let r = t.client.sync_now().unwrap();
    assert_eq!((r.accepted, r.rejected), (1, 0), "{r:?}");
    let (_, outcome, _) = wire.push_of(id);
    let PushOutcome::Accepted { heads: accepted } = outcome else { panic!("{outcome:?}") };
    assert_eq!(heads_set(&accepted), heads(&t, id));
    assert_eq!(t.store.status(id).unwrap().sync, SyncState::OnServer);
    assert!(on_server(&w, MANOKWARI, id));
    // Accepted, it is not sent again.
    wire.clear();
    assert_eq!(t.client.sync_now().unwrap().pushed, 0);
    assert!(wire.syncs().iter().all(|(req, _)| req.push.is_empty()));
}

/// One raw sync request as `d` (with its keys, as the client sends them):
/// the status and, on success, the answer.
fn raw_sync(d: &Device, req: SyncRequest) -> (u16, Option<SyncResponse>) {
    let req = SyncRequest { signers: d.store.bindings().unwrap(), ..req };
    let creds = d.client.credentials();
    let res = reqwest::blocking::Client::new()
        .post(format!("{}{}", creds.server_url, protocol::SYNC_PATH))
        .bearer_auth(format!("{}.{}", creds.device_id, creds.secret))
        .header("content-encoding", "zstd")
        .body(zstd::encode_all(protocol::encode(&req).as_slice(), 3).unwrap())
        .send()
        .unwrap();
    let status = res.status().as_u16();
    let zstd = res.headers().get("content-encoding").is_some_and(|v| v == "zstd");
    let body = res.bytes().unwrap().to_vec();
    let body = if zstd { zstd::decode_all(body.as_slice()).unwrap() } else { body };
    (status, (status == 200).then(|| protocol::decode(&body).unwrap()))
}

#[test]
fn a_fetch_outside_the_scope_returns_what_a_fetch_of_nothing_returns() {
    let w = World::start();
    let p = &w.people;
    let sup = w.supervisor_a();
    // Inside its scope: an appraisal of unit A, from the head's other tablet.
    let other_tablet = w.supervisor_a();
    let inside = start_appraisal(&other_tablet, &p.staff_a[0], &p.boss_a, &p.unit_a);
    // Outside: an appraisal of unit B, citizens' feedback about unit A (no
    // supervisor reads it), an appraisal in the other tenant.
    let boss_b = w.device(MANOKWARI, Role::Supervisor, &p.boss_b, &[&p.unit_b]);
    let unit_b = start_appraisal(&boss_b, &p.staff_b[0], &p.boss_b, &p.unit_b);
    let kiosk = w.device(MANOKWARI, Role::Kiosk, "kios-a", &[&p.unit_a]);
    let feedback = DocId::new();
    let f = Feedback {
        unit_id: p.unit_a.clone(),
        service: "KTP-el".into(),
        scores: Scores::new([3; 9]).unwrap(),
        minutes_waited: 5,
        comment: String::new(),
        channel: Channel::Kiosk,
        submitted_at: Utc::now(),
        officer_nip: None,
    };
    kiosk.store.create(feedback, &f, &kiosk.author()).unwrap();
    let q = People::of(LHOKSEUMAWE);
    let far = w.device(LHOKSEUMAWE, Role::Supervisor, &q.boss_a, &[&q.unit_a]);
    let other_tenant = start_appraisal(&far, &q.staff_a[0], &q.boss_a, &q.unit_a);
    for d in [&other_tablet, &boss_b, &kiosk, &far] {
        assert_eq!(d.client.sync_now().unwrap().accepted, 1);
    }
    let outside = [unit_b, feedback, other_tenant];

    // Where the device's pull stands: nothing more comes after this cursor.
    let (status, start) = raw_sync(&sup, SyncRequest { v: PROTOCOL_VERSION, ..Default::default() });
    let start = start.unwrap_or_else(|| panic!("{status}"));
    assert!(!start.more);
    assert!(start.docs.iter().any(|d| d.id.as_slice() == inside.as_bytes()), "the pull brings what is in scope");
    assert!(start.docs.iter().all(|d| !outside.iter().any(|o| d.id.as_slice() == o.as_bytes())));
    let fetch = |ids: &[DocId]| {
        let fetch = ids.iter().map(|id| protocol::id_bytes(*id)).collect();
        let (status, resp) =
            raw_sync(&sup, SyncRequest { v: PROTOCOL_VERSION, cursor: start.cursor, fetch, ..Default::default() });
        assert_eq!(status, 200, "fetch of {ids:?}");
        // Everything but the clock.
        SyncResponse { server_time: String::new(), ..resp.unwrap() }
    };

    let nothing = fetch(&[DocId::new()]);
    assert!(nothing.docs.is_empty() && nothing.results.is_empty(), "{nothing:?}");
    for id in outside {
        assert_eq!(fetch(&[id, DocId::new()]), nothing, "fetch of {id}");
    }
    assert_eq!(fetch(&outside), nothing);

    // Inside the scope the same fetch returns the document whole.
    let got = fetch(&[unit_b, inside, DocId::new(), feedback]);
    assert_eq!(got.docs.len(), 1, "{got:?}");
    let doc = &got.docs[0];
    assert_eq!((doc.id.as_slice(), doc.kind.as_str()), (inside.as_bytes().as_slice(), "appraisal"));
    assert_eq!(tips(&changes_in(&doc.changes)), heads(&other_tablet, inside));
    assert_eq!(SyncResponse { docs: Vec::new(), ..got }, nothing, "and nothing else differs");
}
