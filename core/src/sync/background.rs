//! A background loop that syncs every few minutes and backs off with jitter
//! while the device is offline or the server is struggling.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{SyncClient, SyncReport};

/// What the app hears from the background loop (e.g. to update a status bar).
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    Started,
    Succeeded(SyncReport),
    /// `retry_in` is when the loop tries again; `offline` when the server
    /// could not be reached at all.
    Failed {
        message: String,
        offline: bool,
        retry_in: Duration,
    },
    Stopped,
}

pub trait SyncObserver: Send + Sync {
    fn on_event(&self, event: SyncEvent);
}

/// Exponential backoff with jitter: attempt 0 waits about `base`, each
/// failure doubles it up to `max`, and the wait is drawn from its upper
/// half so a fleet of tablets coming back into coverage together spreads out.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.min(20))).min(max);
    let mut r = [0u8; 8];
    let jitter = match getrandom::fill(&mut r) {
        Ok(()) => u64::from_le_bytes(r) as f64 / u64::MAX as f64,
        Err(_) => 0.5,
    };
    exp.mul_f64(0.5 + 0.5 * jitter)
}

/// A running background sync; stops when [`BackgroundSync::stop`] is called
/// or it is dropped.
#[derive(Debug)]
pub struct BackgroundSync {
    stop: Arc<(Mutex<bool>, Condvar)>,
    handle: Option<JoinHandle<()>>,
}

impl BackgroundSync {
    /// Sync now, then every `every`; on retryable failure retry after
    /// [`backoff`] (starting at 5 s, at most `every`).
    pub fn start(client: Arc<SyncClient>, every: Duration, observer: Option<Arc<dyn SyncObserver>>) -> Self {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || run(&client, every, observer.as_deref(), &flag));
        Self { stop, handle: Some(handle) }
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let (lock, cvar) = &*self.stop;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cvar.notify_all();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for BackgroundSync {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(client: &SyncClient, every: Duration, observer: Option<&dyn SyncObserver>, stop: &(Mutex<bool>, Condvar)) {
    let notify = |e: SyncEvent| {
        if let Some(o) = observer {
            o.on_event(e);
        }
    };
    let mut failures = 0;
    loop {
        notify(SyncEvent::Started);
        let wait = match client.sync_now() {
            Ok(report) => {
                failures = 0;
                notify(SyncEvent::Succeeded(report));
                every
            }
            Err(e) => {
                let retry_in = if e.is_retryable() { backoff(failures, Duration::from_secs(5), every) } else { every };
                failures += 1;
                tracing::info!(error = %e, ?retry_in, "background sync failed");
                notify(SyncEvent::Failed {
                    message: e.user_message(),
                    offline: matches!(e, super::SyncError::Offline(_)),
                    retry_in,
                });
                // A revoked device wiped itself: nothing left to sync.
                if matches!(
                    e,
                    super::SyncError::Revoked { wipe: Some(_), .. }
                        | super::SyncError::Store(crate::store::StoreError::Wiped)
                ) {
                    notify(SyncEvent::Stopped);
                    return;
                }
                retry_in
            }
        };
        let (lock, cvar) = stop;
        let guard = lock.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = cvar.wait_timeout_while(guard, wait, |stopped| !*stopped).unwrap_or_else(|p| p.into_inner());
        if *guard {
            notify(SyncEvent::Stopped);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(300);
        for attempt in 0..30 {
            let d = backoff(attempt, base, max);
            let full = base.saturating_mul(2u32.saturating_pow(attempt.min(20))).min(max);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} vs {full:?}");
        }
        assert!(backoff(30, base, max) <= max);
        let draws: std::collections::HashSet<_> = (0..20).map(|_| backoff(3, base, max)).collect();
        assert!(draws.len() > 1, "jitter varies");
    }
}
