//! A zstd bomb sent to `POST /v1/sync` is refused at the server's
//! decompression cap (`Limits::max_decompressed_bytes`, 64 MiB), not
//! inflated whole: the answer is 413 `too_large`. What the server holds
//! for it meanwhile is measured twice: the Rust heap by this binary's
//! allocator, everything (zstd's own buffers too) by the peak resident
//! size, reset before each request (`/proc/self/clear_refs`). The bodies go
//! through `prestasi_e2e::fuzzing`'s server, as the `sync_request` fuzz
//! target sends them.
#![allow(unsafe_code, clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use prestasi_e2e::fuzzing::{sync_status, zstd_bomb};
use prestasi_server::config::Limits;

/// The system allocator, counting the bytes held now and at most.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = HELD.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call goes to `System` unchanged; only the counters are ours.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the block's change of size: a large block grows in
        // place (mremap), old and new are not both held.
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            HELD.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measurement at a time: the counters are the whole process's.
static SERIAL: Mutex<()> = Mutex::new(());

const CAP: usize = 64 << 20;

/// A field of /proc/self/status, in bytes.
fn status_bytes(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<usize>().unwrap() * 1024
}

/// What the server did with a bomb of 1 GiB of zeros (16 times the cap)
/// in 32 KiB, with a window of `2^window_log`: its answer, the most Rust
/// heap bytes held at once above what was held before, the growth of the
/// peak resident size; the guard to hold while asserting (a failing
/// assertion allocates too).
fn send_bomb(window_log: u8) -> (Option<u16>, usize, usize, MutexGuard<'static, ()>) {
    let serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    assert_eq!(Limits::default().max_decompressed_bytes, CAP);
    let bomb = zstd_bomb(8192, window_log);
    assert!(bomb.len() < 64 << 10);
    if window_log <= 27 {
        // It is a frame that decompresses: the first megabytes come out.
        let mut head = vec![0u8; 4 << 20];
        let mut decoder = zstd::stream::read::Decoder::new(bomb.as_slice()).unwrap();
        std::io::Read::read_exact(&mut decoder, &mut head).unwrap();
    }
    // The fixture (store, router, tablet) exists before counting starts.
    assert_eq!(sync_status(zstd::encode_all(&b""[..], 1).unwrap()), Some(400));
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let (resident, held) = (status_bytes("VmRSS"), HELD.load(Ordering::Relaxed));
    PEAK.store(held, Ordering::Relaxed);
    let status = sync_status(bomb);
    let heap = PEAK.load(Ordering::Relaxed).saturating_sub(held);
    (status, heap, status_bytes("VmHWM").saturating_sub(resident), serial)
}

#[test]
fn a_zstd_bomb_is_refused_at_the_cap_not_inflated() {
    let (status, heap, resident, _serial) = send_bomb(17);
    assert_eq!(status, Some(413));
    // Far from the bomb's 1 GiB: the output never grows past the cap (see
    // `read_capped`); resident, a growing buffer's old and new blocks can
    // be there together for a moment.
    assert!(heap <= CAP + (4 << 20), "the bomb held {heap} bytes of heap at once");
    assert!(resident <= CAP + (32 << 20), "the bomb grew the resident size by {resident} bytes");
}

#[test]
fn a_frame_asking_for_too_large_a_window_is_refused_unread() {
    // 256 MiB: past zstd's default limit (2^27); 32 MiB: past the server's
    // (2^24, `MAX_WINDOW_LOG` in server/src/http/sync.rs). Both malformed.
    for window_log in [28, 25] {
        let (status, _, resident, _serial) = send_bomb(window_log);
        assert_eq!(status, Some(400), "window 2^{window_log}");
        assert!(resident <= 16 << 20, "window 2^{window_log}: {resident}");
    }
}

#[test]
fn a_zstd_bomb_never_holds_more_than_the_cap() {
    // `read_to_end` doubled its buffer: reading byte cap + 1 grew it to
    // 128 MiB of heap.
    let (status, heap, _, serial) = send_bomb(17);
    assert_eq!(status, Some(413));
    assert!(heap <= CAP + (4 << 20), "the bomb held {heap} bytes of heap at once; the cap is {CAP}");
    drop(serial);
    // A frame with the largest window the server takes (16 MiB) costs that
    // window beside the output (and, resident, a growing buffer's old and
    // new blocks for a moment).
    let (status, _, resident, _serial) = send_bomb(24);
    assert_eq!(status, Some(413));
    assert!(resident <= CAP + (48 << 20), "the bomb grew the resident size by {resident} bytes; the cap is {CAP}");
}
