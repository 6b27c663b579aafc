//! The emulated field link itself: it is no faster than its rate, adds its
//! latency, cuts connections where it is told to and about as often as its
//! profile says, and otherwise passes bytes through intact. A tiny TCP
//! server stands upstream, not the Prestasi server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use prestasi_e2e::fieldlink::{Cut, FieldLink, LinkStats, Profile};

/// Long enough for a loaded machine, short enough to bound the tests.
const PATIENCE: Duration = Duration::from_secs(20);

/// What the upstream server got on one connection.
#[derive(Debug)]
struct Received {
    bytes: Vec<u8>,
    /// The connection ended (EOF or reset) before the last expected request
    /// was whole, rather than timing out.
    closed_early: bool,
}

struct Upstream {
    url: String,
    got: mpsc::Receiver<Received>,
}

impl Upstream {
    /// Per connection: `exchanges` times, read a request of `req_len`
    /// bytes and answer `answer`; then close.
    fn start(req_len: usize, answer: Vec<u8>, exchanges: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, got) = mpsc::channel();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut s) = conn else { return };
                let (tx, answer) = (tx.clone(), answer.clone());
                std::thread::spawn(move || {
                    s.set_read_timeout(Some(PATIENCE)).unwrap();
                    let mut bytes = Vec::new();
                    let mut closed_early = false;
                    let mut buf = [0u8; 4096];
                    'exchanges: for i in 1..=exchanges {
                        while bytes.len() < i * req_len {
                            let want = (i * req_len - bytes.len()).min(buf.len());
                            match s.read(&mut buf[..want]) {
                                Ok(0) => {
                                    closed_early = true;
                                    break 'exchanges;
                                }
                                Ok(n) => bytes.extend_from_slice(&buf[..n]),
                                Err(e) => {
                                    closed_early = !timed_out(&e);
                                    break 'exchanges;
                                }
                            }
                        }
                        if s.write_all(&answer).is_err() {
                            break;
                        }
                    }
                    let _ = tx.send(Received { bytes, closed_early });
                });
            }
        });
        Self { url, got }
    }

    fn next(&self) -> Received {
        self.got.recv_timeout(PATIENCE).expect("the upstream saw a connection")
    }
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

fn connect(link: &FieldLink) -> TcpStream {
    let s = TcpStream::connect(link.url.trim_start_matches("http://")).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    s
}

/// Read until the link closes the connection (EOF or reset); panics if it
/// stays open for [`PATIENCE`].
fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => panic!("the connection stayed open after {} bytes", out.len()),
            Err(_) => return out,
        }
    }
}

/// One connection, one request; what came back before it closed.
fn exchange(link: &FieldLink, request: &[u8]) -> Vec<u8> {
    let mut s = connect(link);
    // A cut may reset the connection while the request is still going out.
    let _ = s.write_all(request);
    read_to_close(&mut s)
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

fn profile(up: u64, down: u64, rtt_ms: u64, cut_ratio: f64) -> Profile {
    Profile {
        name: "test",
        up_bits_per_sec: up,
        down_bits_per_sec: down,
        rtt: Duration::from_millis(rtt_ms),
        cut_ratio,
    }
}

const FAST: u64 = 100_000_000;
const HUGE: u64 = 1_000_000_000;

/// The stats once they satisfy `done` (the writers count a chunk just
/// after handing it over, so they may trail what the peer has read).
fn stats_when(link: &FieldLink, done: impl Fn(&LinkStats) -> bool) -> LinkStats {
    let deadline = Instant::now() + PATIENCE;
    let mut last = None;
    loop {
        let s = link.stats();
        // Settled: each direction counts what it delivered after writing it,
        // so wait until two samples agree (a busy machine may lag one).
        if (done(&s) && last.as_ref() == Some(&s)) || Instant::now() > deadline {
            return s;
        }
        last = done(&s).then_some(s);
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// At least the time the link's rate needs for `bytes`; at most five times
/// it (loose: the machine may be busy).
fn assert_paced(elapsed: Duration, bytes: usize, bits_per_sec: u64) {
    let ideal = Duration::from_secs_f64(bytes as f64 * 8.0 / bits_per_sec as f64);
    assert!(elapsed >= ideal.mul_f64(0.9), "{bytes} bytes in {elapsed:?}, faster than the link's {ideal:?}");
    assert!(elapsed <= ideal * 5, "{bytes} bytes in {elapsed:?}, far slower than the link's {ideal:?}");
}

#[test]
fn the_answer_comes_no_faster_than_the_down_rate() {
    let answer = random_bytes(16 * 1024, 1);
    let up = Upstream::start(16, answer.clone(), 1);
    // Fast up, slow down: a swap of the directions fails this test.
    let link = FieldLink::start(&up.url, profile(HUGE, 64_000, 0, 0.0), 1);
    let mut s = connect(&link);
    let t0 = Instant::now();
    s.write_all(&[7u8; 16]).unwrap();
    let got = read_to_close(&mut s);
    let elapsed = t0.elapsed();
    assert!(got == answer, "the answer arrived intact ({} of {} bytes)", got.len(), answer.len());
    assert_paced(elapsed, answer.len(), 64_000);
    let stats = stats_when(&link, |s| s.bytes_down == answer.len() as u64 && s.bytes_up == 16);
    assert_eq!(
        stats,
        LinkStats { connections: 1, exchanges: 1, cuts: 0, stalls: 0, bytes_up: 16, bytes_down: answer.len() as u64 }
    );
}

#[test]
fn the_request_goes_no_faster_than_the_up_rate() {
    let request = random_bytes(16 * 1024, 2);
    let up = Upstream::start(request.len(), vec![1], 1);
    let link = FieldLink::start(&up.url, profile(64_000, HUGE, 0, 0.0), 2);
    let mut s = connect(&link);
    let t0 = Instant::now();
    s.write_all(&request).unwrap();
    let got = read_to_close(&mut s);
    let elapsed = t0.elapsed();
    assert_eq!(got, [1]);
    assert_paced(elapsed, request.len(), 64_000);
    let received = up.next();
    assert!(received.bytes == request, "the request arrived intact");
    let stats = stats_when(&link, |s| s.bytes_down == 1 && s.bytes_up == request.len() as u64);
    assert_eq!(
        stats,
        LinkStats { connections: 1, exchanges: 1, cuts: 0, stalls: 0, bytes_up: request.len() as u64, bytes_down: 1 }
    );
}

#[test]
fn an_exchange_takes_at_least_the_round_trip() {
    let up = Upstream::start(1, vec![2], 2);
    let link = FieldLink::start(&up.url, profile(HUGE, HUGE, 600, 0.0), 3);
    let mut s = connect(&link);
    // Twice on one connection (keep-alive): each exchange pays the trip.
    for _ in 0..2 {
        let t0 = Instant::now();
        s.write_all(&[1]).unwrap();
        let mut answer = [0u8; 1];
        s.read_exact(&mut answer).unwrap();
        let elapsed = t0.elapsed();
        assert_eq!(answer, [2]);
        assert!(elapsed >= Duration::from_millis(600), "a round trip in {elapsed:?}");
    }
}

#[test]
fn an_uncut_link_passes_bytes_intact_both_ways() {
    let request = random_bytes(3000, 3);
    let answer = random_bytes(20_000, 4);
    let up = Upstream::start(request.len(), answer.clone(), 2);
    let link = FieldLink::start(&up.url, Profile::VSAT.without_cuts(), 4);
    let mut s = connect(&link);
    for _ in 0..2 {
        s.write_all(&request).unwrap();
        let mut got = vec![0u8; answer.len()];
        s.read_exact(&mut got).unwrap();
        assert!(got == answer, "the answer arrived intact");
    }
    assert!(read_to_close(&mut s).is_empty());
    let received = up.next();
    assert!(received.bytes == [request.clone(), request.clone()].concat(), "both requests arrived intact");
    let stats = stats_when(&link, |s| s.bytes_down == 2 * answer.len() as u64);
    assert_eq!(
        stats,
        LinkStats {
            connections: 1,
            exchanges: 2,
            cuts: 0,
            stalls: 0,
            bytes_up: 2 * request.len() as u64,
            bytes_down: 2 * answer.len() as u64
        }
    );
}

const REQUEST: usize = 500;
const ANSWER: usize = 1000;

/// A fast link that only cuts where told, and its upstream.
fn cut_setup(seed: u64) -> (Vec<u8>, Vec<u8>, Upstream, FieldLink) {
    let request = random_bytes(REQUEST, seed);
    let answer = random_bytes(ANSWER, seed + 100);
    let up = Upstream::start(REQUEST, answer.clone(), 1);
    let link = FieldLink::start(&up.url, profile(FAST, FAST, 0, 0.0), seed);
    (request, answer, up, link)
}

/// The connection after a forced cut is not cut: the override is once.
fn next_connection_is_whole(link: &FieldLink, up: &Upstream, request: &[u8], answer: &[u8]) {
    let got = exchange(link, request);
    assert!(got == answer, "the next connection is whole ({} bytes)", got.len());
    assert!(up.next().bytes == request);
    assert_eq!(link.stats().connections, 2);
    assert_eq!(link.stats().cuts, 1);
}

#[test]
fn a_cut_mid_request_forwards_that_much_and_answers_nothing() {
    let (request, answer, up, link) = cut_setup(10);
    link.cut_next(Cut::MidRequest(10));
    let got = exchange(&link, &request);
    assert!(got.is_empty(), "no answer byte: {} came", got.len());
    let received = up.next();
    assert_eq!(received.bytes, request[..10], "the upstream got exactly 10 bytes");
    assert!(received.closed_early, "then EOF");
    next_connection_is_whole(&link, &up, &request, &answer);
}

#[test]
fn a_cut_mid_request_past_its_end_is_a_cut_before_the_answer() {
    let (request, answer, up, link) = cut_setup(11);
    link.cut_next(Cut::MidRequest(REQUEST + 1000));
    let got = exchange(&link, &request);
    assert!(got.is_empty(), "no answer byte: {} came", got.len());
    assert!(up.next().bytes == request, "the upstream got the whole request");
    next_connection_is_whole(&link, &up, &request, &answer);
}

#[test]
fn a_cut_before_the_answer_forwards_the_request_and_answers_nothing() {
    let (request, answer, up, link) = cut_setup(12);
    link.cut_next(Cut::BeforeAnswer);
    let got = exchange(&link, &request);
    assert!(got.is_empty(), "no answer byte: {} came", got.len());
    assert!(up.next().bytes == request, "the upstream got the whole request");
    next_connection_is_whole(&link, &up, &request, &answer);
}

#[test]
fn a_cut_mid_answer_delivers_that_much_of_it() {
    let (request, answer, up, link) = cut_setup(13);
    link.cut_next(Cut::MidAnswer(100));
    let got = exchange(&link, &request);
    assert_eq!(got, answer[..100], "exactly 100 answer bytes, then EOF");
    assert!(up.next().bytes == request, "the upstream got the whole request");
    let stats = stats_when(&link, |s| s.bytes_down == 100);
    assert_eq!(stats.bytes_down, 100);
    next_connection_is_whole(&link, &up, &request, &answer);
}

#[test]
fn a_cut_past_the_end_of_the_answer_cuts_nothing_and_each_exchange_draws_anew() {
    let request = random_bytes(100, 14);
    let answer = random_bytes(ANSWER, 15);
    let up = Upstream::start(request.len(), answer.clone(), 3);
    let link = FieldLink::start(&up.url, profile(FAST, FAST, 0, 0.0), 14);
    link.cut_next(Cut::MidAnswer(ANSWER + 500));
    let mut s = connect(&link);
    s.write_all(&request).unwrap();
    let mut got = vec![0u8; ANSWER];
    s.read_exact(&mut got).unwrap();
    assert!(got == answer, "the first answer goes through whole");
    // The same connection kept for a second exchange: not cut.
    s.write_all(&request).unwrap();
    s.read_exact(&mut got).unwrap();
    assert!(got == answer, "the second exchange goes through whole");
    // A cut forced now applies to the next exchange, on the kept connection.
    link.cut_next(Cut::MidAnswer(100));
    s.write_all(&request).unwrap();
    assert_eq!(read_to_close(&mut s).len(), 100, "the third exchange is cut after 100 answer bytes");
    let received = up.next();
    assert!(
        received.bytes == [request.clone(), request.clone(), request].concat(),
        "every request reached the upstream"
    );
    let stats = link.stats();
    assert_eq!((stats.connections, stats.exchanges, stats.cuts), (1, 3, 2));
}

/// `n` connections in turn over `link`: how many answer bytes each got.
fn many(link: &FieldLink, n: usize, request: &[u8], answer: &[u8]) -> Vec<usize> {
    (0..n)
        .map(|i| {
            let got = exchange(link, request);
            assert!(answer.starts_with(&got), "connection {i}: an answer or the start of one");
            got.len()
        })
        .collect()
}

#[test]
fn about_the_profiles_share_of_connections_is_cut_reproducibly() {
    let request = random_bytes(64, 20);
    let answer = random_bytes(256, 21);
    let up = Upstream::start(request.len(), answer.clone(), 1);
    let link = FieldLink::start(&up.url, profile(FAST, FAST, 0, 0.2), 42);
    let lengths = many(&link, 300, &request, &answer);
    let stats = link.stats();
    assert_eq!(stats.connections, 300);
    // Binomial(300, 0.2): mean 60, standard deviation about 7.
    assert!((30..=90).contains(&stats.cuts), "{} cuts of 300 at 20 %", stats.cuts);
    // Cuts mid-request and before the answer leave no answer; mid-answer
    // most land past these 256 bytes and let it through.
    let short = lengths.iter().filter(|&&l| l < answer.len()).count() as u64;
    assert!(short <= stats.cuts && short * 2 >= stats.cuts, "{short} short answers for {} cuts", stats.cuts);

    // The same seed cuts the same connections at the same points.
    let again = FieldLink::start(&up.url, profile(FAST, FAST, 0, 0.2), 42);
    assert_eq!(many(&again, 300, &request, &answer), lengths);
    assert_eq!(again.stats().cuts, stats.cuts);
}

#[test]
fn a_link_without_cuts_cuts_nothing() {
    let request = random_bytes(64, 30);
    let answer = random_bytes(256, 31);
    let up = Upstream::start(request.len(), answer.clone(), 1);
    let link = FieldLink::start(&up.url, profile(FAST, FAST, 0, 0.2).without_cuts(), 43);
    let lengths = many(&link, 100, &request, &answer);
    assert!(lengths.iter().all(|&l| l == answer.len()), "every answer whole");
    let stats = stats_when(&link, |s| s.bytes_down == 100 * answer.len() as u64);
    assert_eq!(
        stats,
        LinkStats {
            connections: 100,
            exchanges: 100,
            cuts: 0,
            stalls: 0,
            bytes_up: 100 * request.len() as u64,
            bytes_down: 100 * answer.len() as u64
        }
    );
}

#[test]
fn a_stalled_answer_comes_late_and_whole() {
    let request = random_bytes(64, 40);
    let answer = random_bytes(512, 41);
    let up = Upstream::start(request.len(), answer.clone(), 1);
    let link = FieldLink::start(&up.url, profile(FAST, FAST, 0, 0.0), 40);
    link.stall_next(Duration::from_millis(800));
    let started = Instant::now();
    let got = exchange(&link, &request);
    assert!(started.elapsed() >= Duration::from_millis(800), "the answer waited {:?}", started.elapsed());
    assert!(got == answer, "a stall delays, it does not cut");
    let started = Instant::now();
    assert!(exchange(&link, &request) == answer);
    assert!(started.elapsed() < Duration::from_millis(800), "only the next exchange stalls");
    assert_eq!((link.stats().stalls, link.stats().cuts), (1, 0));
}

#[test]
fn profiles_parse_by_name() {
    for p in Profile::ALL {
        assert_eq!(Profile::parse(p.name), Some(p));
        assert_eq!(p.without_cuts(), Profile { cut_ratio: 0.0, ..p });
    }
    let names: Vec<&str> = Profile::ALL.iter().map(|p| p.name).collect();
    assert_eq!(names, ["2g", "edge", "vsat"]);
    for bad in ["", "3g", "lte", "2g ", "wifi"] {
        assert_eq!(Profile::parse(bad), None, "{bad:?}");
    }
    assert_eq!(Profile::TWO_G.down_bits_per_sec, 64_000);
    assert_eq!(Profile::TWO_G.rtt, Duration::from_millis(600));
    assert_eq!(Profile::TWO_G.cut_ratio, 0.05);
}
