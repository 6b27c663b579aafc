//! HTTPS in the server itself: `serve --tls-cert FILE --tls-key FILE`
//! (PEM: the certificate chain, leaf first, and its private key). rustls
//! through `axum-server`, with the aws-lc-rs provider reqwest already
//! brings. The certificate and key are read again on SIGHUP (a renewed
//! certificate needs no restart); if the new files do not make a valid
//! pair, the server keeps the one it has and logs an error.
//!
//! The API keeps what plain HTTP has: the peer address for handlers
//! (`ConnectInfo<SocketAddr>`), graceful shutdown (requests in flight
//! finish), and the metrics listener stays plain HTTP on its own address.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

/// How long a client may take over its TLS handshake. Generous: on a
/// satellite or 2G link one round trip can take a second or more.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The server's certificate and key, and where they are read from.
#[derive(Clone)]
pub struct Tls {
    config: RustlsConfig,
    cert: PathBuf,
    key: PathBuf,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("cert", &self.cert).field("key", &self.key).finish_non_exhaustive()
    }
}

/// Both files, checked to hold PEM certificates and a key.
async fn read_pem(cert: &Path, key: &Path) -> Result<(Vec<u8>, Vec<u8>), String> {
    let read = |p: PathBuf| async move {
        tokio::fs::read(&p).await.map_err(|e| format!("TLS: cannot read {}: {e}", p.display()))
    };
    let (c, k) = (read(cert.to_path_buf()).await?, read(key.to_path_buf()).await?);
    if !String::from_utf8_lossy(&c).contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!("TLS: {} holds no PEM certificate", cert.display()));
    }
    if !String::from_utf8_lossy(&k).contains("PRIVATE KEY-----") {
        return Err(format!("TLS: {} holds no PEM private key", key.display()));
    }
    Ok((c, k))
}

impl Tls {
    /// Read the certificate chain and key (the key must match the first
    /// certificate).
    pub async fn load(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Result<Self, String> {
        let (cert, key) = (cert.into(), key.into());
        let (c, k) = read_pem(&cert, &key).await?;
        let config = RustlsConfig::from_pem(c, k)
            .await
            .map_err(|e| format!("TLS: {} and {}: {e}", cert.display(), key.display()))?;
        Ok(Self { config, cert, key })
    }

    /// Read the files again and use them for new connections. On an error
    /// the certificate in use stays, and the error is logged and returned.
    pub async fn reload(&self) -> Result<(), String> {
        let loaded = match read_pem(&self.cert, &self.key).await {
            Ok((c, k)) => self
                .config
                .reload_from_pem(c, k)
                .await
                .map_err(|e| format!("TLS: {} and {}: {e}", self.cert.display(), self.key.display())),
            Err(e) => Err(e),
        };
        match &loaded {
            Ok(()) => tracing::info!(cert = %self.cert.display(), "TLS certificate reloaded"),
            Err(e) => tracing::error!(error = %e, "TLS certificate not reloaded; the previous one stays in use"),
        }
        loaded
    }

    /// The rustls configuration new connections get (for tests).
    pub fn config(&self) -> &RustlsConfig {
        &self.config
    }
}

/// On every SIGHUP, [`Tls::reload`] (without TLS, SIGHUP is logged and
/// otherwise ignored rather than ending the process). The handler is
/// installed before this returns; call it inside the runtime.
pub fn reload_on_sighup(tls: Option<Tls>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                match &tls {
                    Some(tls) => {
                        tracing::info!("SIGHUP: reloading the TLS certificate");
                        let _ = tls.reload().await;
                    }
                    None => tracing::info!("SIGHUP: nothing to reload (no --tls-cert)"),
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = tls;
    Ok(())
}

/// Serve `app` over TLS on `listener` until `shutdown` completes, letting
/// requests in flight finish (as [`crate::http::serve`] does over HTTP).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Tls,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopping.graceful_shutdown(None);
    });
    let acceptor = RustlsAcceptor::new(tls.config.clone()).handshake_timeout(HANDSHAKE_TIMEOUT);
    axum_server::from_tcp(listener.into_std()?)?
        .acceptor(acceptor)
        .handle(handle)
        .accept_error_handler(|peer: Option<&SocketAddr>, e: &std::io::Error| {
            // A client that does not trust the certificate, a port scan.
            tracing::debug!(peer = ?peer, error = %e, "TLS connection refused");
        })
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
}

/// [`serve`] with `tls`, else plain [`crate::http::serve`].
pub async fn serve_maybe(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Option<Tls>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    match tls {
        Some(tls) => serve(listener, app, tls, shutdown).await,
        None => crate::http::serve(listener, app, shutdown).await,
    }
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
