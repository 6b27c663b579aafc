//! A small in-memory rate limiter for the public pages: a fixed window per
//! key (a client address, a unit). It lives in the server process only —
//! restarting the server forgets it, which is fine for spam protection.
//!
//! Memory is bounded: at most `capacity` keys are kept; when a new key
//! arrives at a full table, expired windows are dropped first and then the
//! window closest to its end.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::public_url::PublicUrl;

#[derive(Debug)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
    capacity: usize,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    until: Instant,
    count: u32,
}

impl RateLimiter {
    pub fn new(capacity: usize) -> Self {
        Self { windows: Mutex::new(HashMap::new()), capacity: capacity.max(1) }
    }

    /// Count one request of `key`: at most `max` per `per`. Over the limit,
    /// `Err` says how long until the window ends.
    pub fn hit(&self, key: &str, max: u32, per: Duration, now: Instant) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !windows.contains_key(key) && windows.len() >= self.capacity {
            windows.retain(|_, w| w.until > now);
            if windows.len() >= self.capacity {
                let oldest = windows.iter().min_by_key(|(_, w)| w.until).map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    windows.remove(&k);
                }
            }
        }
        let w = windows.entry(key.to_string()).or_insert(Window { until: now + per, count: 0 });
        if w.until <= now {
            *w = Window { until: now + per, count: 0 };
        }
        if w.count >= max {
            return Err(w.until.saturating_duration_since(now));
        }
        w.count += 1;
        Ok(())
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.windows.lock().map(|w| w.len()).unwrap_or_default()
    }
}

/// The rate-limit key of a client: its address (an IPv6 client by its /64,
/// which one household or phone usually has whole) — the TCP peer, or the
/// address a trusted reverse proxy put in `X-Forwarded-For`
/// ([`PublicUrl::client_ip`]: the header of any other peer is ignored).
/// Without a peer, one shared key (requests made in-process, e.g. tests).
pub fn client_key(peer: Option<SocketAddr>, headers: &HeaderMap, public: &PublicUrl) -> String {
    match public.client_ip(peer, headers).map(|ip| ip.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        Some(IpAddr::V4(v4)) => v4.to_string(),
        None => "local".into(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counts_per_window_and_stays_bounded() {
        let l = RateLimiter::new(3);
        let t = Instant::now();
        let min = Duration::from_secs(60);
        assert!(l.hit("a", 2, min, t).is_ok() && l.hit("a", 2, min, t).is_ok());
        assert_eq!(l.hit("a", 2, min, t + Duration::from_secs(20)), Err(Duration::from_secs(40)));
        assert!(l.hit("a", 2, min, t + min).is_ok(), "a new window");
        for k in ["b", "c", "d", "e"] {
            l.hit(k, 2, min, t + min).unwrap();
        }
        assert_eq!(l.len(), 3, "never more than the capacity");
    }

    #[test]
    fn client_keys() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 10.0.0.7".parse().unwrap());
        let peer: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        let none = PublicUrl::default();
        assert_eq!(client_key(Some(peer), &h, &none), "192.0.2.1", "the header is not trusted by default");
        let proxied = PublicUrl::default().with_trusted_proxies(["192.0.2.1".parse().unwrap()]);
        assert_eq!(client_key(Some(peer), &h, &proxied), "10.0.0.7", "the proxy's entry, not the client's");
        let v6: SocketAddr = "[2001:db8:1:2:3:4:5:6]:80".parse().unwrap();
        assert_eq!(client_key(Some(v6), &HeaderMap::new(), &none), "2001:db8:1:2::/64");
        assert_eq!(client_key(None, &HeaderMap::new(), &none), "local");
    }
}
