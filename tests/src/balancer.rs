//! A load balancer for tests: a TCP proxy on loopback that sends each new
//! connection to one of several server instances, picked at random. A
//! device that opens a new connection per sync therefore syncs through the
//! instances at random, as behind a real balancer without sticky sessions.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

#[derive(Debug)]
pub struct Balancer {
    pub url: String,
    stop: Arc<AtomicBool>,
    port: u16,
    /// Connections sent to each backend.
    pub routed: Arc<Vec<AtomicU64>>,
}

impl Balancer {
    pub fn start(backends: Vec<String>, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let routed: Arc<Vec<AtomicU64>> = Arc::new(backends.iter().map(|_| AtomicU64::new(0)).collect());
        let (stop2, routed2) = (stop.clone(), routed.clone());
        std::thread::spawn(move || {
            let mut rng = seed | 1;
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                // xorshift: reproducible for a seed, no extra crate.
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let i = (rng % backends.len() as u64) as usize;
                routed2[i].fetch_add(1, Ordering::SeqCst);
                let addr = backends[i].trim_start_matches("http://").to_string();
                std::thread::spawn(move || {
                    if let Ok(server) = TcpStream::connect(addr) {
                        pipe(client, server);
                    }
                });
            }
        });
        Self { url: format!("http://127.0.0.1:{port}"), stop, port, routed }
    }
}

fn pipe(client: TcpStream, server: TcpStream) {
    let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else { return };
    let up = std::thread::spawn(move || copy(client, server));
    copy(s2, c2);
    let _ = up.join();
}

fn copy(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
