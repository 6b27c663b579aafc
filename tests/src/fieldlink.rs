//! An emulated field link for tests and the benchmark: a TCP proxy on
//! loopback that gives each connection the bandwidth and latency of a 2G,
//! EDGE or VSAT link, and cuts some connections part-way.
//!
//! Why a proxy rather than `tc netem`: the kernel of the test machines has
//! no netem, and it would not show what the app sees anyway. TCP hides
//! packet loss: a lost segment is retransmitted, so to the app loss shows up
//! as stalls (slow, bursty delivery, which the bandwidth and latency here
//! stand for) and, when the radio drops for long enough, as a connection
//! that is cut (reset or closed) in the middle of a request or an answer.
//! That is what this link emulates: rate, delay, stalls and cuts, not loss itself.
//!
//! Each direction of a connection is a pipe: a reader thread stamps every
//! chunk with the instant it arrived and queues it (bounded, so a slow link
//! pushes back on the sender as a real bottleneck does) for a writer thread
//! that delivers it no earlier than `arrival + rtt/2`, and no faster than
//! the rate allows: `delivery = max(arrival + rtt/2, previous delivery) +
//! len * 8 / bits_per_sec`.
//!
//! Cuts are drawn per exchange (one request and its answer), reproducibly
//! from the seed (see [`Cut`]): a client that keeps its connection for
//! several requests (keep-alive) may see any of them cut. The link does not
//! parse HTTP: a request is what the client sends before the answer's first
//! byte, the answer what the server sends after; a client sending again
//! after answer bytes reached it has started its next exchange.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A stalled answer waits this many round trips before its first byte.
pub const STALL_RTTS: u32 = 5;

/// The character of a field link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    pub name: &'static str,
    /// Client → server. 0: unlimited.
    pub up_bits_per_sec: u64,
    /// Server → client. 0: unlimited.
    pub down_bits_per_sec: u64,
    /// Round-trip latency added: half of it each way.
    pub rtt: Duration,
    /// Share of exchanges (requests) cut at a random point (0 to 1). As
    /// many others again stall: their answer starts [`STALL_RTTS`] round
    /// trips late (the radio faded and came back; TCP retransmitted).
    pub cut_ratio: f64,
}

impl Profile {
    /// GPRS in the hills: slow and slow to answer.
    pub const TWO_G: Profile = Profile {
        name: "2g",
        up_bits_per_sec: 64_000,
        down_bits_per_sec: 64_000,
        rtt: Duration::from_millis(600),
        cut_ratio: 0.05,
    };
    pub const EDGE: Profile = Profile {
        name: "edge",
        up_bits_per_sec: 200_000,
        down_bits_per_sec: 200_000,
        rtt: Duration::from_millis(300),
        cut_ratio: 0.02,
    };
    /// A satellite link of a remote office: faster, but a long way round.
    pub const VSAT: Profile = Profile {
        name: "vsat",
        up_bits_per_sec: 1_000_000,
        down_bits_per_sec: 1_000_000,
        rtt: Duration::from_millis(700),
        cut_ratio: 0.01,
    };
    pub const ALL: [Profile; 3] = [Profile::TWO_G, Profile::EDGE, Profile::VSAT];

    /// The profile named `name`: "2g", "edge" or "vsat".
    pub fn parse(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name == name)
    }

    /// The same link, never cut.
    pub fn without_cuts(self) -> Profile {
        Profile { cut_ratio: 0.0, ..self }
    }
}

/// Where an exchange is cut. A cut shuts the connection's both sockets
/// down (the client sees EOF or a reset, the server EOF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Drop the connection after `n` bytes of the request have been
    /// forwarded. If the request is shorter, it is forwarded whole and the
    /// cut happens as the answer starts, as [`Cut::BeforeAnswer`].
    MidRequest(usize),
    /// Forward the whole request (everything the client sends until the
    /// server starts answering), then drop before any answer byte reaches
    /// the client.
    BeforeAnswer,
    /// Drop after `n` bytes of the answer have reached the client. If the
    /// answer is shorter, it goes through whole and nothing is cut.
    MidAnswer(usize),
}

/// What went through a link so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Connections accepted.
    pub connections: u64,
    /// Exchanges (requests) started.
    pub exchanges: u64,
    /// Exchanges drawn (or forced with [`FieldLink::cut_next`]) to be cut,
    /// counted when the exchange starts.
    pub cuts: u64,
    /// Exchanges whose answer was held back (drawn, or forced with
    /// [`FieldLink::stall_next`]).
    pub stalls: u64,
    /// Bytes delivered to the server.
    pub bytes_up: u64,
    /// Bytes delivered to the client.
    pub bytes_down: u64,
}

/// A running field link: connect to [`FieldLink::url`] instead of the
/// upstream server. Dropping it stops accepting connections (those open
/// carry on).
#[derive(Debug)]
pub struct FieldLink {
    pub url: String,
    port: u16,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    stop: AtomicBool,
    /// What the next exchanges get instead of the random draw.
    forced: Mutex<VecDeque<Option<Cut>>>,
    rng: Mutex<Rng>,
    /// The share of exchanges cut, as `f64` bits (changed with `set_cut_ratio`).
    cut_ratio: AtomicU64,
    connections: AtomicU64,
    exchanges: AtomicU64,
    cuts: AtomicU64,
    stalls: AtomicU64,
    /// A stall forced for the next exchange.
    forced_stall: Mutex<Option<Duration>>,
    /// How long a drawn stall lasts.
    stall: Duration,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
}

impl FieldLink {
    /// Listen on a loopback port and relay every connection to
    /// `upstream_url` (`http://host:port`) over a link like `profile`.
    /// The same `seed` cuts the same connections.
    pub fn start(upstream_url: &str, profile: Profile, seed: u64) -> FieldLink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("field link: bind a loopback port");
        let port = listener.local_addr().expect("field link: local address").port();
        let upstream = upstream_url.trim_start_matches("http://").trim_end_matches('/').to_string();
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            forced: Mutex::new(VecDeque::new()),
            rng: Mutex::new(Rng::new(seed)),
            cut_ratio: AtomicU64::new(profile.cut_ratio.to_bits()),
            connections: AtomicU64::new(0),
            exchanges: AtomicU64::new(0),
            cuts: AtomicU64::new(0),
            stalls: AtomicU64::new(0),
            forced_stall: Mutex::new(None),
            stall: profile.rtt * STALL_RTTS,
            bytes_up: AtomicU64::new(0),
            bytes_down: AtomicU64::new(0),
        });
        let accept = shared.clone();
        std::thread::spawn(move || accept_loop(listener, &upstream, profile, &accept));
        FieldLink { url: format!("http://127.0.0.1:{port}"), port, shared }
    }

    /// Cut the next exchange (on a new or a kept connection) this way,
    /// instead of the random draw (once).
    pub fn cut_next(&self, cut: Cut) {
        self.plan(&[Some(cut)]);
    }

    /// The next exchanges, in order, are cut as `plan` says (`None`: not
    /// cut), instead of the random draw; e.g. `[None, Some(Cut::BeforeAnswer)]`
    /// lets the first through and cuts the second. Replaces a plan not used up.
    pub fn plan(&self, plan: &[Option<Cut>]) {
        *lock(&self.shared.forced) = plan.iter().copied().collect();
    }

    /// Hold the next exchange's answer back for `d` before its first byte
    /// (once).
    pub fn stall_next(&self, d: Duration) {
        *lock(&self.shared.forced_stall) = Some(d);
    }

    /// Cut this share of exchanges from now on (e.g. none while devices
    /// enroll, then the profile's).
    pub fn set_cut_ratio(&self, ratio: f64) {
        self.shared.cut_ratio.store(ratio.to_bits(), Ordering::SeqCst);
    }

    pub fn stats(&self) -> LinkStats {
        let s = &self.shared;
        LinkStats {
            connections: s.connections.load(Ordering::SeqCst),
            exchanges: s.exchanges.load(Ordering::SeqCst),
            cuts: s.cuts.load(Ordering::SeqCst),
            stalls: s.stalls.load(Ordering::SeqCst),
            bytes_up: s.bytes_up.load(Ordering::SeqCst),
            bytes_down: s.bytes_down.load(Ordering::SeqCst),
        }
    }
}

impl Drop for FieldLink {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// xorshift64: reproducible for a seed, no extra crate.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Spread small seeds over the bits; never zero.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn step(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.step() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.step() % n
    }

    fn cut(&mut self, ratio: f64) -> Option<Cut> {
        if self.unit() >= ratio {
            return None;
        }
        Some(match self.below(3) {
            0 => Cut::MidRequest(self.below(2048) as usize),
            1 => Cut::BeforeAnswer,
            _ => Cut::MidAnswer(self.below(4096) as usize),
        })
    }
}

impl Shared {
    /// The cut and the stall of an exchange that starts now, if any.
    fn draw(&self) -> (Option<Cut>, Option<Duration>) {
        self.exchanges.fetch_add(1, Ordering::SeqCst);
        let forced = lock(&self.forced).pop_front();
        let ratio = f64::from_bits(self.cut_ratio.load(Ordering::SeqCst));
        let mut rng = lock(&self.rng);
        let cut = forced.unwrap_or_else(|| rng.cut(ratio));
        if cut.is_some() {
            self.cuts.fetch_add(1, Ordering::SeqCst);
        }
        let drawn = (cut.is_none() && rng.unit() < ratio).then_some(self.stall);
        let stall = lock(&self.forced_stall).take().or(drawn);
        if stall.is_some() {
            self.stalls.fetch_add(1, Ordering::SeqCst);
        }
        (cut, stall)
    }
}

fn accept_loop(listener: TcpListener, upstream: &str, profile: Profile, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = conn else {
            // Out of descriptors, most likely: let connections finish.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        let (upstream, shared) = (upstream.to_string(), shared.clone());
        std::thread::spawn(move || relay(client, &upstream, profile, &shared));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Up,
    Down,
}

/// One relayed connection: both sockets, and where its exchange stands.
#[derive(Debug)]
struct Conn {
    client: TcpStream,
    server: TcpStream,
    shared: Arc<Shared>,
    state: Mutex<ConnState>,
}

#[derive(Debug, Default)]
struct ConnState {
    /// An exchange has started on this connection.
    started: bool,
    /// The cut still to come in this exchange.
    cut: Option<Cut>,
    /// How long this exchange's answer is held back, until it starts.
    stall: Option<Duration>,
    /// The connection is (being) cut: nothing more goes through.
    cut_done: bool,
    /// Bytes of this exchange let through each way.
    up: usize,
    down: usize,
}

/// What a writer may do with the chunk that is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Admit {
    Write(usize),
    /// Write this many bytes of it, then cut the connection.
    WriteThenCut(usize),
    Stop,
}

impl Conn {
    fn admit(&self, dir: Dir, len: usize) -> Admit {
        let mut st = lock(&self.state);
        if st.cut_done {
            return Admit::Stop;
        }
        // The client speaks first, or again after answer bytes reached it:
        // a new exchange, with its own draw.
        if dir == Dir::Up && (!st.started || st.down > 0) {
            let (cut, stall) = self.shared.draw();
            *st = ConnState { started: true, cut, stall, ..ConnState::default() };
        }
        let done = match dir {
            Dir::Up => st.up,
            Dir::Down => st.down,
        };
        let up_to = |n: usize| {
            if done + len >= n { Admit::WriteThenCut(n.saturating_sub(done)) } else { Admit::Write(len) }
        };
        let admit = match (dir, st.cut) {
            (_, None) => Admit::Write(len),
            (Dir::Up, Some(Cut::MidRequest(n))) => up_to(n),
            (Dir::Up, Some(_)) => Admit::Write(len),
            // The answer starts: the request was shorter than the cut.
            (Dir::Down, Some(Cut::MidRequest(_) | Cut::BeforeAnswer)) => Admit::WriteThenCut(0),
            (Dir::Down, Some(Cut::MidAnswer(n))) => up_to(n),
        };
        let (Admit::Write(k) | Admit::WriteThenCut(k)) = admit else { return admit };
        match dir {
            Dir::Up => st.up += k,
            Dir::Down => st.down += k,
        }
        if matches!(admit, Admit::WriteThenCut(_)) {
            st.cut = None;
            st.cut_done = true;
        }
        admit
    }

    /// The stall to wait before this direction's next chunk: only before
    /// an answer's first byte, once.
    fn stall(&self, dir: Dir) -> Option<Duration> {
        let mut st = lock(&self.state);
        if dir == Dir::Down && st.down == 0 { st.stall.take() } else { None }
    }

    fn is_cut(&self) -> bool {
        lock(&self.state).cut_done
    }

    /// Shut both sockets down: both readers see EOF, the peers too.
    fn shut(&self) {
        let _ = self.server.shutdown(Shutdown::Both);
        let _ = self.client.shutdown(Shutdown::Both);
    }
}

/// One direction of a link.
#[derive(Debug, Clone, Copy)]
struct Pipe {
    dir: Dir,
    bits_per_sec: u64,
    latency: Duration,
    /// Largest chunk read at once: small on slow links, so pacing is smooth.
    chunk: usize,
    /// Chunks queued at most (bytes in flight plus a bottleneck buffer).
    queue: usize,
}

impl Pipe {
    fn new(dir: Dir, bits_per_sec: u64, rtt: Duration) -> Pipe {
        let latency = rtt / 2;
        // About 10 ms of the link per chunk, between 256 B and 16 KiB.
        let chunk = if bits_per_sec == 0 { 16 * 1024 } else { (bits_per_sec / 8 / 100).clamp(256, 16 * 1024) as usize };
        let in_flight = if bits_per_sec == 0 {
            0
        } else {
            (u128::from(bits_per_sec) * latency.as_nanos() / 8 / 1_000_000_000) as usize / chunk
        };
        Pipe { dir, bits_per_sec, latency, chunk, queue: (in_flight + 64).min(4096) }
    }

    /// How long `len` bytes take to go onto the link.
    fn serialise(&self, len: usize) -> Duration {
        if self.bits_per_sec == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos((len as u64).saturating_mul(8_000_000_000) / self.bits_per_sec)
    }
}

#[derive(Debug)]
struct Chunk {
    arrived: Instant,
    bytes: Vec<u8>,
}

fn relay(client: TcpStream, upstream: &str, profile: Profile, shared: &Arc<Shared>) {
    let Ok(server) = TcpStream::connect(upstream) else { return };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let clones = (client.try_clone(), client.try_clone(), server.try_clone(), server.try_clone());
    let (Ok(client_in), Ok(client_out), Ok(server_in), Ok(server_out)) = clones else { return };
    let conn = Arc::new(Conn { client, server, shared: shared.clone(), state: Mutex::new(ConnState::default()) });
    let up = Pipe::new(Dir::Up, profile.up_bits_per_sec, profile.rtt);
    let down = Pipe::new(Dir::Down, profile.down_bits_per_sec, profile.rtt);
    let (up_tx, up_rx) = mpsc::sync_channel(up.queue);
    let (down_tx, down_rx) = mpsc::sync_channel(down.queue);
    let up_reader = std::thread::spawn(move || read_chunks(client_in, up.chunk, up_tx));
    let down_reader = std::thread::spawn(move || read_chunks(server_in, down.chunk, down_tx));
    let (conn2, shared2) = (conn.clone(), shared.clone());
    let up_writer = std::thread::spawn(move || deliver(up_rx, server_out, up, &conn2, &shared2.bytes_up));
    deliver(down_rx, client_out, down, &conn, &shared.bytes_down);
    for t in [up_writer, up_reader, down_reader] {
        let _ = t.join();
    }
}

/// Read what arrives, stamped with when it did, until EOF or the writer
/// has gone (its connection was cut or its peer closed).
fn read_chunks(mut from: TcpStream, chunk: usize, to: SyncSender<Chunk>) {
    let mut buf = vec![0u8; chunk];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let bytes = buf.get(..n).unwrap_or_default().to_vec();
        if to.send(Chunk { arrived: Instant::now(), bytes }).is_err() {
            break;
        }
    }
}

/// Deliver each chunk when the link would: `rtt/2` after it arrived, and
/// after the chunk before it has gone through at the link's rate. Cuts the
/// connection where its [`Cut`] says; passes an EOF on otherwise.
fn deliver(chunks: Receiver<Chunk>, mut to: TcpStream, pipe: Pipe, conn: &Conn, delivered: &AtomicU64) {
    // When the link has finished sending the previous chunk.
    let mut free = Instant::now();
    for chunk in chunks {
        if conn.is_cut() {
            return;
        }
        if let Some(d) = conn.stall(pipe.dir) {
            std::thread::sleep(d);
            free = free.max(Instant::now());
        }
        let start = (chunk.arrived + pipe.latency).max(free);
        let end = start + pipe.serialise(chunk.bytes.len());
        let now = Instant::now();
        if end > now {
            std::thread::sleep(end - now);
        }
        let (k, cut) = match conn.admit(pipe.dir, chunk.bytes.len()) {
            Admit::Stop => return,
            Admit::Write(k) => (k, false),
            Admit::WriteThenCut(k) => (k, true),
        };
        let bytes = chunk.bytes.get(..k).unwrap_or_default();
        if !bytes.is_empty() {
            if to.write_all(bytes).is_err() {
                if cut {
                    conn.shut();
                }
                return;
            }
            delivered.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        }
        if cut {
            conn.shut();
            return;
        }
        // Schedule from the link's own clock (a late wake-up is caught up
        // on), unless the receiver held the write up for long: the link sat
        // idle then, and must not deliver the backlog faster than its rate.
        let now = Instant::now();
        free = if now > end + Duration::from_millis(50) { now } else { end };
    }
    if !conn.is_cut() {
        let _ = to.shutdown(Shutdown::Write);
    }
}
