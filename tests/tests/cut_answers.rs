//! The connection drops while the server's answer is arriving (the everyday
//! case on 2G): in the headers, at the first byte of the body, in the
//! middle, one byte before the end. Each is "offline, retry", never a
//! permanent protocol error, and the next sync completes with nothing lost
//! or stored twice.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prestasi_core::model::{Appraisal, DocId, Role};
use prestasi_core::rules::nip::Nip;
use prestasi_core::store::SyncState;
use prestasi_core::sync::SyncError;
use prestasi_e2e::{MANOKWARI, World};

/// A proxy that forwards each connection's request whole and its answer up
/// to `cut_at` bytes, then drops the connection (`usize::MAX`: the whole
/// answer). Records the last whole answer it forwarded.
struct CuttingProxy {
    url: String,
    cut_at: Arc<AtomicUsize>,
    last_answer: Arc<Mutex<Vec<u8>>>,
}

impl CuttingProxy {
    fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let cut_at = Arc::new(AtomicUsize::new(usize::MAX));
        let last_answer = Arc::new(Mutex::new(Vec::new()));
        let (cut, last) = (cut_at.clone(), last_answer.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let (upstream, cut, last) = (upstream.clone(), cut.clone(), last.clone());
                std::thread::spawn(move || relay(client, &upstream, cut.load(Ordering::SeqCst), &last));
            }
        });
        Self { url, cut_at, last_answer }
    }
}

fn relay(mut client: TcpStream, upstream: &str, cut_at: usize, last: &Mutex<Vec<u8>>) {
    let Ok(mut server) = TcpStream::connect(upstream) else { return };
    let mut to_server = client.try_clone().unwrap();
    let mut server_in = server.try_clone().unwrap();
    // Request: client → server, as it comes.
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = to_server.read(&mut buf) {
            if n == 0 || server_in.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    // Answer: server → client, cut at `cut_at`.
    server.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut sent = 0;
    let mut whole = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = server.read(&mut buf) {
        if n == 0 {
            break;
        }
        let take = n.min(cut_at.saturating_sub(sent));
        if client.write_all(&buf[..take]).is_err() {
            break;
        }
        whole.extend_from_slice(&buf[..n]);
        sent += take;
        if sent >= cut_at {
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        // One answer per connection is all a sync needs: stop at its end.
        if answer_complete(&whole) {
            break;
        }
    }
    *last.lock().unwrap() = whole;
    let _ = client.shutdown(Shutdown::Write);
}

/// The whole of an HTTP/1.1 answer with a Content-Length has arrived.
fn answer_complete(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    head.lines()
        .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
        .is_some_and(|len| bytes.len() >= end + 4 + len)
}

#[test]
fn an_answer_cut_anywhere_is_offline_and_the_next_sync_completes() {
    let w = World::start();
    let p = &w.people;
    let proxy = CuttingProxy::start(&w.server.url);
    // Measure a whole first-sync answer through the proxy.
    let probe = prestasi_e2e::enroll(
        w.server.storage.as_ref(),
        &proxy.url,
        w.dir(),
        MANOKWARI,
        Role::Supervisor,
        &p.boss_a,
        &[&p.unit_a],
    );
    probe.client.sync_now().unwrap();
    let answer = proxy.last_answer.lock().unwrap().clone();
    let head = answer.windows(4).position(|x| x == b"\r\n\r\n").unwrap() + 4;
    let total = answer.len();
    assert!(total > head + 100, "a first sync brings the roster: {total} bytes");

    for (class, at) in
        [("headers", 12), ("first body byte", head + 1), ("middle", (head + total) / 2), ("last byte", total - 1)]
    {
        let tablet = prestasi_e2e::enroll(
            w.server.storage.as_ref(),
            &proxy.url,
            w.dir(),
            MANOKWARI,
            Role::Supervisor,
            &p.boss_a,
            &[&p.unit_a],
        );
        let staff = Nip::parse(&p.staff_a[0]).unwrap();
        let id = DocId::for_appraisal(&staff, &format!("2026-0{}", 1 + class.len() % 9));
        let period = format!("2026-0{}", 1 + class.len() % 9);
        let a = Appraisal::new(staff, &period, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
        tablet.store.create(id, &a, &tablet.author()).unwrap();

        proxy.cut_at.store(at, Ordering::SeqCst);
        let err = tablet.client.sync_now().unwrap_err();
        assert!(matches!(err, SyncError::Offline(_)) && err.is_retryable(), "{class}: {err:?}");
        assert_eq!(
            tablet.store.status(id).unwrap().sync,
            SyncState::AwaitingVerification,
            "{class}: kept, unacknowledged"
        );

        proxy.cut_at.store(usize::MAX, Ordering::SeqCst);
        let report = tablet.client.sync_now().unwrap();
        assert_eq!(report.rejected, 0, "{class}");
        assert_eq!(tablet.store.status(id).unwrap().sync, SyncState::OnServer, "{class}");
        assert!(!tablet.store.all_documents().unwrap().is_empty());
    }
    // Every appraisal stored once.
    let rows = w.server.storage.appraisals(MANOKWARI, &Default::default()).unwrap();
    let mut ids: Vec<&str> = rows.iter().map(|r| r.doc_id.as_str()).collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
}
