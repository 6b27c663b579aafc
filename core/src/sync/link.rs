//! How big a batch the link takes: a sync sends documents in batches of
//! about [`TARGET_SECS`] of the link's measured throughput, so that on a 2G
//! link a cut loses seconds of work, not the whole upload, while on a good
//! link everything goes in one request.
//!
//! Throughput is measured on every round trip (bytes on the wire over the
//! time from sending to the whole answer, latency included) and kept in
//! the store, so the next sync starts from what the link did last time.
//!
//! ```
//! use std::time::Duration;
//! use prestasi_core::sync::link::{Link, INITIAL_BATCH, MIN_BATCH};
//! let mut link = Link::default();
//! assert_eq!(link.batch_bytes(), INITIAL_BATCH);
//! // 2G: 16 KiB took 2.6 s → about 6 KB/s → batches of ~60 KB.
//! link.observe(16 * 1024, Duration::from_millis(2600));
//! assert!(link.batch_bytes() > MIN_BATCH && link.batch_bytes() < 100_000);
//! ```

use std::time::Duration;

use crate::store::{Outgoing, Store, StoreError};

/// A batch should take about this long on the link.
pub const TARGET_SECS: f64 = 10.0;
/// The first batch before the link was ever measured: about 30 s on 2G.
pub const INITIAL_BATCH: usize = 256 * 1024;
/// The same on a link whose latency says it is far (2G, VSAT): a first
/// page cut on the way costs seconds, not half a minute.
pub const INITIAL_FAR_BATCH: usize = 64 * 1024;
/// Small exchanges slower than this: a far link.
pub const FAR_MS: f64 = 250.0;
pub const MIN_BATCH: usize = 16 * 1024;
pub const MAX_BATCH: usize = 8 * 1024 * 1024;
/// Parts of a resumable upload are cut smaller than batches: after cuts
/// they shrink until one fits between two cuts.
pub const MIN_PART: usize = 2 * 1024;
pub const MAX_PART: usize = 1024 * 1024;
/// Round trips smaller than this say more about latency than throughput:
/// they are latency samples.
const MIN_SAMPLE_BYTES: usize = 4 * 1024;
const LINK_KEY: &str = "sync.link_bytes_per_sec";
const RTT_KEY: &str = "sync.link_rtt_ms";

/// The link's measured throughput, and how long a batch should take on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    bytes_per_sec: Option<f64>,
    /// Time of a small exchange, smoothed (ms).
    rtt_ms: Option<f64>,
    target_secs: f64,
}

impl Default for Link {
    fn default() -> Self {
        Self { bytes_per_sec: None, rtt_ms: None, target_secs: TARGET_SECS }
    }
}

impl Link {
    /// The throughput kept by the last sync.
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        let kept = |key| -> Result<Option<f64>, StoreError> {
            Ok(store.meta(key)?.and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite() && *v > 0.0))
        };
        Ok(Self { bytes_per_sec: kept(LINK_KEY)?, rtt_ms: kept(RTT_KEY)?, target_secs: TARGET_SECS })
    }

    /// Batches of about `secs` of the link instead of [`TARGET_SECS`]
    /// (shorter on a link that cuts often).
    pub fn with_target(self, secs: f64) -> Self {
        Self { target_secs: if secs.is_finite() && secs > 0.0 { secs } else { TARGET_SECS }, ..self }
    }

    pub fn bytes_per_sec(&self) -> Option<f64> {
        self.bytes_per_sec
    }

    /// The time of a small exchange (latency and server time), if measured.
    pub fn rtt_ms(&self) -> Option<f64> {
        self.rtt_ms
    }

    /// Record one round trip of `bytes` on the wire that took `elapsed`.
    pub fn observe(&mut self, bytes: usize, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if secs <= 0.0 {
            return;
        }
        if bytes < MIN_SAMPLE_BYTES {
            let ms = secs * 1000.0;
            self.rtt_ms = Some(self.rtt_ms.map_or(ms, |old| 0.5 * old + 0.5 * ms));
            return;
        }
        let measured = bytes as f64 / secs;
        // Smoothed, but quick to follow a link that got worse.
        self.bytes_per_sec = Some(match self.bytes_per_sec {
            Some(old) if measured < old => measured,
            Some(old) => 0.5 * old + 0.5 * measured,
            None => measured,
        });
    }

    /// The link was cut mid-transfer: halve the estimate (a radio that drops
    /// every few seconds gets parts that fit between drops).
    pub fn cut(&mut self) {
        let bps = self.bytes_per_sec.unwrap_or(INITIAL_BATCH as f64 / self.target_secs);
        self.bytes_per_sec = Some((bps / 2.0).max(MIN_PART as f64 / self.target_secs / 4.0));
    }

    /// Bytes one part of a resumable upload should hold.
    pub fn part_bytes(&self) -> usize {
        match self.bytes_per_sec {
            None => self.batch_bytes(),
            Some(bps) => ((bps * self.target_secs) as usize).clamp(MIN_PART, MAX_PART),
        }
    }

    /// Keep the estimate now (a sync that fails records no answer).
    pub fn save(&self, store: &Store) -> Result<(), StoreError> {
        for (key, value) in self.meta() {
            store.set_meta(key, &value)?;
        }
        Ok(())
    }

    /// The link's latency is that of 2G, EDGE or VSAT.
    pub fn is_far(&self) -> bool {
        self.rtt_ms.is_some_and(|ms| ms > FAR_MS)
    }

    /// Bytes of changes the next batch (and pulled page) may hold.
    pub fn batch_bytes(&self) -> usize {
        match self.bytes_per_sec {
            None if self.is_far() => INITIAL_FAR_BATCH,
            None => INITIAL_BATCH,
            Some(bps) => ((bps * self.target_secs) as usize).clamp(MIN_BATCH, MAX_BATCH),
        }
    }

    /// The store meta to keep with the round trip's answer.
    pub fn meta(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(b) = self.bytes_per_sec {
            out.push((LINK_KEY, format!("{b:.0}")));
        }
        if let Some(r) = self.rtt_ms {
            out.push((RTT_KEY, format!("{r:.0}")));
        }
        out
    }
}

/// The size a document's outgoing changes count for in a batch.
pub fn changes_len(out: &Outgoing) -> usize {
    out.changes.len() + out.sigs.len() * 128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_link_takes_everything_in_one_batch() {
        let mut l = Link::default();
        l.observe(1 << 20, Duration::from_millis(20));
        assert_eq!(l.batch_bytes(), MAX_BATCH);
    }

    #[test]
    fn a_slow_link_gets_small_batches_and_a_worse_link_is_followed_at_once() {
        let mut l = Link::default();
        l.observe(80_000, Duration::from_secs(1));
        assert_eq!(l.batch_bytes(), 800_000);
        l.observe(8_000, Duration::from_secs(1));
        assert_eq!(l.batch_bytes(), 80_000);
        l.observe(8_000, Duration::from_secs(10));
        assert_eq!(l.batch_bytes(), MIN_BATCH);
        // Tiny round trips measure latency, not throughput.
        l.observe(100, Duration::from_secs(5));
        assert_eq!(l.batch_bytes(), MIN_BATCH);
        assert_eq!(l.rtt_ms(), Some(5000.0));
    }

    #[test]
    fn cuts_shrink_the_parts_until_one_fits() {
        let mut l = Link::default().with_target(1.0);
        l.observe(16_000, Duration::from_secs(1));
        assert_eq!(l.part_bytes(), 16_000);
        l.cut();
        assert_eq!(l.part_bytes(), 8_000);
        for _ in 0..10 {
            l.cut();
        }
        assert_eq!(l.part_bytes(), MIN_PART);
        assert_eq!(l.batch_bytes(), MIN_BATCH, "batches keep their floor");
    }
}
