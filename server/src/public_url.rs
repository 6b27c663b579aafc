//! How people and tablets reach this server: its public base URL
//! (`serve --public-url`), whether answers go out over HTTPS, and which
//! peers are reverse proxies whose `X-Forwarded-For` is believed
//! (`serve --trusted-proxy`). One [`PublicUrl`] in `AppState`.
//!
//! Every link the server builds — the enrollment QR code
//! (`prestasi://enroll?server=…`), the citizens' form URL on a unit's QR
//! code, the server URL sealed in an enrollment bundle — starts with the
//! public URL, never with the request's `Host` header: a request naming
//! another host cannot make the server hand out links to it. Session
//! cookies are `Secure` and every answer carries
//! `Strict-Transport-Security` when the public URL is `https` or the
//! server terminates TLS itself.
//!
//! Of the headers a reverse proxy sets, only `X-Forwarded-For` is read,
//! for the client address (the citizens' form's rate limit), and only on
//! a connection from a configured proxy. `X-Forwarded-Proto` and
//! `X-Forwarded-Host` are not read: the public URL says both.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// `Strict-Transport-Security` as sent: one year, this host only.
pub const HSTS: &str = "max-age=31536000";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://host[:port]`, lower case, no trailing slash (an `Arc`:
    /// the state is cloned for every request).
    origin: Arc<str>,
    https: bool,
    /// The server terminates TLS itself (`serve --tls-cert`).
    tls: bool,
    /// Peers whose `X-Forwarded-For` names the client.
    trusted_proxies: Arc<[IpAddr]>,
}

impl Default for PublicUrl {
    /// `http://localhost`, no TLS, no trusted proxy: in-process servers
    /// (tests, tools) that never said otherwise.
    fn default() -> Self {
        Self { origin: Arc::from("http://localhost"), https: false, tls: false, trusted_proxies: Arc::new([]) }
    }
}

impl PublicUrl {
    /// `http(s)://host[:port]`, with or without a trailing `/`. A path,
    /// query, fragment or user name is refused: the server's pages are at
    /// the root of their host.
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let (https, rest) = if let Some(rest) = lower.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = lower.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!("public URL `{url}`: must start with https:// or http://"));
        };
        let host = rest.strip_suffix('/').unwrap_or(rest);
        if host.is_empty() || !host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) {
            return Err(format!(
                "public URL `{url}`: only scheme://host[:port] (no path, query or user name; the server's pages are \
                 at the root)"
            ));
        }
        let scheme = if https { "https" } else { "http" };
        Ok(Self { origin: Arc::from(format!("{scheme}://{host}")), https, ..Self::default() })
    }

    /// The URL of a server without `--public-url`: its own listening
    /// address (`https` when it terminates TLS).
    pub fn fallback(listen: SocketAddr, tls: bool) -> Self {
        let scheme = if tls { "https" } else { "http" };
        Self { origin: Arc::from(format!("{scheme}://{listen}")), https: tls, tls, ..Self::default() }
    }

    /// Whether this server terminates TLS itself.
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub fn with_trusted_proxies(mut self, proxies: impl IntoIterator<Item = IpAddr>) -> Self {
        self.trusted_proxies = proxies.into_iter().map(|ip| ip.to_canonical()).collect();
        self
    }

    /// `scheme://host[:port]`: prefix of every link the server builds.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Answers reach clients over HTTPS: `Secure` cookies and HSTS.
    pub fn secure(&self) -> bool {
        self.https || self.tls
    }

    pub fn trusted_proxies(&self) -> &[IpAddr] {
        &self.trusted_proxies
    }

    /// The `Strict-Transport-Security` value to send, if any.
    pub fn hsts(&self) -> Option<HeaderValue> {
        self.secure().then(|| HeaderValue::from_static(HSTS))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.contains(&ip.to_canonical())
    }

    /// The client's address: the TCP peer, or — when the peer is a trusted
    /// proxy — the right-most `X-Forwarded-For` entry that is not itself a
    /// trusted proxy (entries to its left are whatever the client sent).
    /// `None` without a peer (requests made in-process).
    pub fn client_ip(&self, peer: Option<SocketAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?.ip().to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            let Some(ip) = entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
            else {
                break; // not an address: nothing left of it is the proxies' word
            };
            client = ip.to_canonical();
            if !self.trusts(client) {
                break;
            }
        }
        Some(client)
    }
}

/// `serve`'s flags for how it is reached: HTTPS, the public URL, the
/// trusted reverse proxies (README, "Running the server").
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TransportArgs {
    /// Serve HTTPS with this PEM certificate chain (leaf first), with
    /// --tls-key; both files are read again on SIGHUP.
    #[arg(long, env = "PRESTASI_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "PRESTASI_TLS_KEY")]
    pub tls_key: Option<PathBuf>,
    /// The URL people and tablets reach this server at
    /// (`https://prestasi.example.go.id`): every link the server builds
    /// starts with it, and `https` makes cookies Secure and sends HSTS.
    /// Without it: the listening address (logged at start).
    #[arg(long, env = "PRESTASI_PUBLIC_URL", value_parser = PublicUrl::parse)]
    pub public_url: Option<PublicUrl>,
    /// A reverse proxy's address whose `X-Forwarded-For` names the client
    /// (repeat the flag; comma-separated in the variable or the config
    /// file). The header of any other peer is ignored.
    #[arg(long = "trusted-proxy", env = "PRESTASI_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_ip)]
    pub trusted_proxies: Vec<IpAddr>,
}

fn parse_ip(s: &str) -> Result<IpAddr, String> {
    s.trim().parse().map_err(|e| format!("`{s}` is not an IP address: {e}"))
}

impl TransportArgs {
    /// The certificate and key, if HTTPS is asked for.
    pub async fn tls(&self) -> Result<Option<crate::tls::Tls>, String> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some(crate::tls::Tls::load(cert, key).await?)),
            (None, None) => Ok(None),
            _ => Err("--tls-cert and --tls-key go together".into()),
        }
    }

    /// The public URL of a server listening on `listen` (TLS or not),
    /// logged: the one given, or the listening address.
    pub fn public(&self, listen: SocketAddr, tls: bool) -> PublicUrl {
        let public = match &self.public_url {
            Some(url) => url.clone(),
            None => {
                let url = PublicUrl::fallback(listen, tls);
                tracing::warn!(
                    public_url = url.origin(),
                    "no --public-url: links (enrollment QR codes, citizen form URLs) use the listening address; \
                     set --public-url to the URL people and tablets use"
                );
                url
            }
        };
        let public = public.with_tls(tls).with_trusted_proxies(self.trusted_proxies.iter().copied());
        tracing::info!(
            public_url = public.origin(),
            tls,
            secure_cookies = public.secure(),
            trusted_proxies = ?public.trusted_proxies(),
            "links are built from the public URL"
        );
        public
    }
}

/// Middleware: `Strict-Transport-Security` on every answer when `hsts`
/// is set (see [`PublicUrl::hsts`]).
pub async fn strict_transport_security(State(hsts): State<Option<HeaderValue>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if let Some(v) = hsts {
        res.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, v);
    }
    res
}

#[cfg(test)]
#[path = "public_url_tests.rs"]
mod tests;
