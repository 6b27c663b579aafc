//! A small deterministic random source and the date helpers the plan uses.

#![allow(clippy::wildcard_imports)]

use super::*;

// Randomness: splitmix64, inline so the data never changes with a crate
// update.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

/// Independent streams, so each kind of record can be generated alone.
pub(super) mod stream {
    pub const ROSTER: u64 = 1;
    pub const APPRAISAL: u64 = 2;
    pub const FEEDBACK: u64 = 3;
    pub const TRAINING: u64 = 4;
    pub const MENTORING: u64 = 5;
    pub const INPUTS: u64 = 6;
    pub const UNITS: u64 = 7;
}

impl Rng {
    /// The generator of item `i` of `stream`.
    pub(super) fn derive(seed: u64, stream: u64, i: u64) -> Self {
        let mut r = Self(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let base = r.next_u64();
        let mut r = Self(base ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi.saturating_sub(lo)) + 1) as u32
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Roughly standard normal (Irwin–Hall of four uniforms).
    pub(super) fn normal(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum();
        (s - 2.0) * 3f64.sqrt()
    }

    pub(super) fn pick<T: Copy>(&mut self, xs: &[T], fallback: T) -> T {
        xs.get(self.below(xs.len() as u64) as usize).copied().unwrap_or(fallback)
    }

    /// One of `items`, drawn by its weight.
    pub(super) fn choose<T: Copy>(&mut self, items: &[(T, u32)], fallback: T) -> T {
        let weights: Vec<u32> = items.iter().map(|&(_, w)| w).collect();
        items.get(self.weighted(&weights)).map_or(fallback, |&(x, _)| x)
    }

    /// An index drawn with the given weights.
    pub(super) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        0
    }

    /// `n` distinct indices of `0..len`, in random order.
    pub(super) fn distinct(&mut self, len: usize, n: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..len).collect();
        for i in 0..n.min(len) {
            let j = i + self.below((len - i) as u64) as usize;
            idx.swap(i, j);
        }
        idx.truncate(n.min(len));
        idx
    }

    /// Bytes for the random part of a UUIDv7.
    pub(super) fn bytes10(&mut self) -> [u8; 10] {
        let (a, b) = (self.next_u64().to_le_bytes(), self.next_u64().to_le_bytes());
        let mut out = [0u8; 10];
        for (o, x) in out.iter_mut().zip(a.iter().chain(b.iter())) {
            *o = *x;
        }
        out
    }

    /// A short item id (like core's `new_item_id`), unique within a record
    /// through its `position` prefix.
    pub(super) fn item_id(&mut self, position: usize) -> String {
        format!("{:02x}{:010x}", position % 256, self.next_u64() & 0xff_ffff_ffff)
    }
}

/// A deterministic UUIDv7: created at `ms`, random part from `rng`.
pub(super) fn v7(ms: i64, rng: &mut Rng) -> DocId {
    let ms = u64::try_from(ms).unwrap_or(0);
    DocId::from_uuid(uuid::Builder::from_unix_timestamp_millis(ms, &rng.bytes10()).into_uuid())
}

pub(super) fn date_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0)
}

pub(super) fn add_days(d: NaiveDate, n: u64) -> Result<NaiveDate, GenerateError> {
    d.checked_add_days(Days::new(n)).ok_or_else(|| GenerateError::Invalid(format!("date {d} + {n} days")))
}

pub(super) fn sub_days(d: NaiveDate, n: u64) -> Result<NaiveDate, GenerateError> {
    d.checked_sub_days(Days::new(n)).ok_or_else(|| GenerateError::Invalid(format!("date {d} - {n} days")))
}

pub(super) fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate, GenerateError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| GenerateError::Invalid(format!("date {y}-{m}-{d}")))
}
