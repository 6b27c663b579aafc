//! The blocking sync client used by the apps (from a background thread).

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::SyncError;
use super::link::{Link, changes_len};
use super::protocol::{
    self, CONTENT_TYPE, ENROLL_PATH, EnrollRequest, EnrollResponse, ErrorBody, PROTOCOL_VERSION, PushDoc, PushOutcome,
    SYNC_PATH, SyncRequest, SyncResponse,
};
use crate::doc::{DocError, DocKind};
use crate::model::{DocId, Role};
use crate::store::{Outgoing, RoundTrip, Store, StoreError};

const CREDENTIALS_KEY: &str = "sync.credentials";
const CURSOR_KEY: &str = "sync.cursor";
const LAST_SYNC_KEY: &str = "sync.last_success";
/// The server's CA certificate(s), PEM, if the app set one
/// ([`SyncClient::set_server_ca`]).
const SERVER_CA_KEY: &str = "sync.server_ca";
/// The server's storage epoch the acknowledgements and cursor belong to.
pub(crate) const EPOCH_KEY: &str = "sync.epoch";

/// How an answer arrived: from the server, or read from a bundle file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answer {
    /// The server's answer to a request just sent.
    Online,
    /// A receipt or scope bundle, written whenever.
    File,
}
/// The enrolled person's one-time person code, until their first sign-in.
pub const PERSON_CODE_KEY: &str = "sync.person_code";
const DEFAULT_BATCH_MS: u64 = (super::link::TARGET_SECS * 1000.0) as u64;
/// Documents pushed per request; more pending documents go in further requests.
pub const MAX_PUSH_PER_REQUEST: usize = 2000;

/// What a device needs to talk to its server, kept in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    pub server_url: String,
    pub device_id: String,
    pub secret: String,
    pub tenant_id: String,
    pub tenant_name: String,
    pub role: Role,
    pub user: String,
    pub units: Vec<String>,
}

/// What one `sync_now` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub pulled: usize,
    pub round_trips: usize,
    /// Compressed request and response bodies.
    pub bytes_sent: usize,
    pub bytes_received: usize,
    /// Round trips whose answer was recorded (each batch's acknowledgements
    /// are kept even if a later batch is cut).
    pub batches_acknowledged: usize,
}

/// What waits for the link, and what the link was measured at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkStatus {
    /// Documents with changes the server has not acknowledged.
    pub pending_documents: u64,
    /// Their stored size: an upper bound of what is left to send.
    pub pending_bytes: u64,
    /// The link's throughput at the last sync, if measured.
    pub bytes_per_sec: Option<f64>,
    /// The size the next batch is cut at.
    pub batch_bytes: u64,
}

#[derive(Debug)]
pub struct SyncClient {
    pub(super) store: Arc<Store>,
    pub(super) http: reqwest::blocking::Client,
    pub(super) creds: Credentials,
    /// Seconds of the link a batch should take, in milliseconds.
    batch_target_ms: AtomicU64,
    /// What the wipe after a revocation did (`wipe.rs`).
    pub(super) wiped: std::sync::Mutex<Option<super::Wipe>>,
}

/// The heads each pushed document was brought to, to acknowledge.
pub(super) type Sent = HashMap<DocId, Vec<ChangeHash>>;

/// The HTTP client: the platform's roots check the server's certificate,
/// or only `server_ca` when given (see [`SyncClient::set_server_ca`]).
fn http_client(server_ca: Option<&str>) -> Result<reqwest::blocking::Client, SyncError> {
    let mut builder = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        // A sync is one or two requests, minutes apart: keep the connection
        // for the second, then let the server free it.
        .pool_idle_timeout(Duration::from_secs(5));
    if let Some(pem) = server_ca {
        let certs =
            reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| SyncError::ServerCa(error_chain(&e)))?;
        if certs.is_empty() {
            return Err(SyncError::ServerCa("no PEM certificate (-----BEGIN CERTIFICATE-----)".into()));
        }
        builder = builder.tls_certs_only(certs);
    }
    builder.build().map_err(|e| match server_ca {
        Some(_) => SyncError::ServerCa(error_chain(&e)),
        None => SyncError::Protocol(e.to_string()),
    })
}

/// `e` and its causes: reqwest's own message alone rarely says why
/// (e.g. that the server's certificate is not trusted).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

/// Reading the answer failed: whatever reqwest says (often "error decoding
/// response body"), the connection broke while the answer was arriving —
/// the everyday case on 2G. Retry later; our own decoding of a complete
/// body is what reports a protocol error.
pub(super) fn cut(e: reqwest::Error) -> SyncError {
    SyncError::Offline(format!("answer cut off: {e}"))
}

pub(super) fn transport(e: reqwest::Error) -> SyncError {
    if e.is_connect() || e.is_timeout() || e.is_request() {
        let why = error_chain(&e);
        if why.contains("certificate") {
            // No root the client trusts vouches for the server: a wrong
            // server, a captive portal, or a server CA the app did not set.
            return SyncError::Offline(format!("TLS: the server's certificate is not trusted ({why})"));
        }
        SyncError::Offline(why)
    } else {
        SyncError::Protocol(e.to_string())
    }
}

impl SyncClient {
    /// Exchange a one-time enrollment code for this device's own secret and
    /// keep the credentials in the store.
    pub fn enroll(store: Arc<Store>, server_url: &str, code: &str) -> Result<Self, SyncError> {
        let http = http_client(store.meta(SERVER_CA_KEY)?.as_deref())?;
        let base = server_url.trim_end_matches('/').to_string();
        let req = EnrollRequest { code: code.trim().to_string(), device_id: store.device_id().to_string() };
        let body = serde_json::to_vec(&req).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let started = std::time::Instant::now();
        let resp = http
            .post(format!("{base}{ENROLL_PATH}"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .map_err(transport)?;
        let status = resp.status();
        let server = server_time(resp.headers());
        let body = resp.bytes().map_err(cut)?;
        // A first latency sample: the first sync knows whether the link is far.
        let mut link = Link::default();
        link.observe(0, started.elapsed().saturating_sub(server));
        if !status.is_success() {
            return Err(error_from(status.as_u16(), &body));
        }
        let e: EnrollResponse = serde_json::from_slice(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
        let client = Self::enrolled(store, e, &base)?;
        link.save(&client.store)?;
        Ok(client)
    }

    /// Keep the server's enrollment answer (the credentials and the enrolled
    /// person's code) in the store: the device is enrolled from now on.
    pub(super) fn enrolled(store: Arc<Store>, e: EnrollResponse, server_url: &str) -> Result<Self, SyncError> {
        let creds = Credentials {
            server_url: server_url.trim_end_matches('/').to_string(),
            device_id: e.device_id,
            secret: e.secret,
            tenant_id: e.tenant_id,
            tenant_name: e.tenant_name,
            role: e.role,
            user: e.user,
            units: e.units,
        };
        let json = serde_json::to_string(&creds).map_err(|e| SyncError::Protocol(e.to_string()))?;
        store.set_meta(CREDENTIALS_KEY, &json)?;
        store.set_meta(CURSOR_KEY, "0")?;
        if let Some(code) = &e.person_code {
            store.set_meta(PERSON_CODE_KEY, code)?;
        }
        Self::with(store, creds)
    }

    fn with(store: Arc<Store>, creds: Credentials) -> Result<Self, SyncError> {
        Ok(Self {
            http: http_client(store.meta(SERVER_CA_KEY)?.as_deref())?,
            store,
            creds,
            batch_target_ms: AtomicU64::new(DEFAULT_BATCH_MS),
            wiped: Default::default(),
        })
    }

    /// Trust only `pem` — the CA certificate (or certificates) of a server
    /// whose certificate no public CA signed, e.g. a regency's own CA — for
    /// this store's server from now on; `None` goes back to the platform's
    /// roots. Kept in the store (encrypted with it), so it holds across
    /// restarts: set it before [`SyncClient::enroll`] (or
    /// [`SyncClient::enroll_from_bundle`]), and clients made afterwards
    /// ([`SyncClient::from_store`]) use it; a client already made keeps
    /// what it had. While it is set, the server's certificate must chain
    /// to one of these certificates and the platform's roots are not used
    /// (the same on every platform: Android's verifier cannot add roots to
    /// its own). A certificate nothing trusted signs is
    /// [`SyncError::Offline`], saying so. A `pem` that holds no usable
    /// certificate is [`SyncError::ServerCa`] and changes nothing.
    pub fn set_server_ca(store: &Store, pem: Option<&str>) -> Result<(), SyncError> {
        match pem {
            Some(pem) => {
                http_client(Some(pem))?;
                store.set_meta(SERVER_CA_KEY, pem)?;
            }
            None => store.delete_meta(SERVER_CA_KEY)?,
        }
        Ok(())
    }

    /// The server CA set with [`SyncClient::set_server_ca`], if any.
    pub fn server_ca(store: &Store) -> Result<Option<String>, SyncError> {
        Ok(store.meta(SERVER_CA_KEY)?)
    }

    /// The client of an already enrolled store.
    pub fn from_store(store: Arc<Store>) -> Result<Self, SyncError> {
        let json = store.meta(CREDENTIALS_KEY)?.ok_or(SyncError::NotEnrolled)?;
        let creds = serde_json::from_str(&json).map_err(|e| SyncError::Protocol(e.to_string()))?;
        Self::with(store, creds)
    }

    /// Size batches to take about `target` on the link (default
    /// [`super::link::TARGET_SECS`]): shorter where the link cuts every few
    /// seconds, so each batch gets through between cuts.
    pub fn set_batch_target(&self, target: Duration) {
        self.batch_target_ms.store(target.as_millis().try_into().unwrap_or(u64::MAX).max(1), Ordering::Relaxed);
    }

    fn link(&self) -> Result<Link, SyncError> {
        let secs = self.batch_target_ms.load(Ordering::Relaxed) as f64 / 1000.0;
        Ok(Link::load(&self.store)?.with_target(secs))
    }

    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// Sign the enrolled person in with `pin`; their first key on this
    /// device is bound by the person code that came with the enrollment
    /// (kept until this first sign-in). For apps that skip [`crate::session::Session`]
    /// (tools, tests, the demo).
    pub fn sign_in_enrolled(&self, pin: &str) -> Result<crate::store::SignerInfo, SyncError> {
        let code = self.store.meta(PERSON_CODE_KEY)?;
        let info = self.store.sign_in(&self.creds.user, pin, code.as_deref())?;
        if code.is_some() {
            self.store.delete_meta(PERSON_CODE_KEY)?;
        }
        Ok(info)
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// When the last sync completed (RFC 3339, server time), if ever.
    pub fn last_success(&self) -> Result<Option<String>, SyncError> {
        Ok(self.store.meta(LAST_SYNC_KEY)?)
    }

    /// Push everything not yet on the server, pull what changed in scope.
    ///
    /// Documents go in batches sized to the link (see [`super::link`]), in
    /// the store's priority order ([`Store::pending`]); each answer is
    /// recorded as soon as it arrives, so a cut loses at most the batch in
    /// flight and nothing acknowledged is sent again. On a fast link one
    /// batch holds everything: one round trip. (Called by `sync_now`, which
    /// wipes a revoked device: `wipe.rs`.)
    pub(super) fn sync_rounds(&self) -> Result<SyncReport, SyncError> {
        let mut report = SyncReport::default();
        let mut link = self.link()?;
        let mut pending = self.store.pending()?.into_iter().peekable();
        let mut fetch = self.store.wanted()?;
        let mut carried = None;
        let mut restored = false;
        loop {
            let budget = link.batch_bytes();
            let (mut batch, mut bytes) = (Vec::new(), 0usize);
            if let Some((doc, out)) = carried.take() {
                bytes += changes_len(&out);
                batch.push((doc, out));
            }
            while batch.len() < MAX_PUSH_PER_REQUEST {
                let Some(doc) = pending.next() else { break };
                let out = self.store.changes_for_server(doc.0)?;
                let len = changes_len(&out);
                // A document larger than the budget still goes, alone.
                if !batch.is_empty() && bytes + len > budget {
                    carried = Some((doc, out));
                    break;
                }
                bytes += len;
                batch.push((doc, out));
            }
            let more_to_push = carried.is_some() || pending.peek().is_some();
            let (mut req, sent) = self.request_from(batch, &fetch)?;
            req.max_pull_bytes = budget as u64;
            report.pushed += req.push.len();
            let started = std::time::Instant::now();
            let before = report.bytes_sent + report.bytes_received;
            let (resp, server) = match self.round_trip(&req, &mut report, &mut link) {
                // The server's database was restored from a backup: what it
                // acknowledged since is gone. Send everything again, once.
                Err(SyncError::Server { status: 409, code, .. }) if code == "epoch_changed" && !restored => {
                    tracing::warn!("the server was restored from a backup: sending everything again");
                    restored = true;
                    report.pushed -= req.push.len();
                    self.store.forget_server_state(&[CURSOR_KEY, EPOCH_KEY])?;
                    pending = self.store.pending()?.into_iter().peekable();
                    fetch = self.store.wanted()?;
                    carried = None;
                    continue;
                }
                other => other?,
            };
            // The link's time, not the server's work.
            link.observe(report.bytes_sent + report.bytes_received - before, started.elapsed().saturating_sub(server));
            // The answer is recorded: an upload it came through is done.
            let mut meta = link.meta();
            meta.push((super::upload::UPLOAD_KEY, String::new()));
            fetch = self.apply(&resp, &sent, &req.fetch, Answer::Online, resp.cursor, &meta, &mut report)?;
            report.batches_acknowledged += 1;
            if fetch.is_empty() && !resp.more && !more_to_push {
                return Ok(report);
            }
        }
    }

    /// What waits for the link, for the app's status line.
    pub fn link_status(&self) -> Result<LinkStatus, SyncError> {
        let (pending_documents, pending_bytes) = self.store.pending_size()?;
        let link = self.link()?;
        Ok(LinkStatus {
            pending_documents,
            pending_bytes,
            bytes_per_sec: link.bytes_per_sec(),
            batch_bytes: link.batch_bytes() as u64,
        })
    }

    /// The request that pushes `docs` and asks for `fetch` whole, with the
    /// heads each pushed document is brought to.
    pub(super) fn request(&self, docs: &[(DocId, DocKind)], fetch: &[DocId]) -> Result<(SyncRequest, Sent), SyncError> {
        let mut outgoing = Vec::with_capacity(docs.len());
        for doc in docs {
            outgoing.push((*doc, self.store.changes_for_server(doc.0)?));
        }
        self.request_from(outgoing, fetch)
    }

    fn request_from(
        &self,
        docs: Vec<((DocId, DocKind), Outgoing)>,
        fetch: &[DocId],
    ) -> Result<(SyncRequest, Sent), SyncError> {
        let mut sent = Sent::new();
        let mut push = Vec::with_capacity(docs.len());
        for ((id, kind), out) in docs {
            sent.insert(id, out.heads);
            push.push(PushDoc {
                id: protocol::id_bytes(id),
                kind: kind.as_str().into(),
                changes: ByteBuf::from(out.changes),
                sigs: out.sigs,
            });
        }
        let req = SyncRequest {
            v: PROTOCOL_VERSION,
            cursor: self.cursor()?,
            push,
            fetch: fetch.iter().map(|id| protocol::id_bytes(*id)).collect(),
            signers: self.store.bindings()?,
            max_pull_bytes: 0,
            epoch: self.store.meta(EPOCH_KEY)?,
        };
        Ok((req, sent))
    }

    pub(super) fn cursor(&self) -> Result<u64, SyncError> {
        Ok(self.store.meta(CURSOR_KEY)?.and_then(|c| c.parse().ok()).unwrap_or(0))
    }

    /// One request and its answer, and how long the server said it worked.
    fn round_trip(
        &self,
        req: &SyncRequest,
        report: &mut SyncReport,
        link: &mut Link,
    ) -> Result<(SyncResponse, Duration), SyncError> {
        let body =
            zstd::encode_all(protocol::encode(req).as_slice(), 3).map_err(|e| SyncError::Protocol(e.to_string()))?;
        report.round_trips += 1;
        // A request that pushes nothing loses nothing when cut: it goes plain.
        let pushes = !req.push.is_empty() || !req.signers.is_empty();
        let (status, raw, zstd, server) =
            if super::upload::resumable(body.len(), link) && (pushes || body.len() > super::upload::RESUMABLE_ABOVE) {
                self.upload(&body, link, report)?
            } else {
                report.bytes_sent += body.len();
                let resp = self
                    .authed(self.http.post(format!("{}{SYNC_PATH}", self.creds.server_url)))
                    .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
                    .header(reqwest::header::CONTENT_ENCODING, "zstd")
                    .body(body)
                    .send()
                    .map_err(transport)?;
                let status = resp.status().as_u16();
                let zstd = resp.headers().get(reqwest::header::CONTENT_ENCODING).is_some_and(|v| v == "zstd");
                let server = server_time(resp.headers());
                (status, resp.bytes().map_err(cut)?.to_vec(), zstd, server)
            };
        report.bytes_received += raw.len();
        let body = if zstd { decompress(&raw)? } else { raw };
        if !(200..300).contains(&status) {
            return Err(error_from(status, &body));
        }
        let resp: SyncResponse = protocol::decode(&body).map_err(|e| SyncError::Protocol(e.to_string()))?;
        if resp.v != PROTOCOL_VERSION {
            return Err(SyncError::Protocol(format!("server speaks protocol {}", resp.v)));
        }
        Ok((resp, server))
    }

    /// A request with the device's credentials, asking for a zstd answer.
    pub(super) fn authed(&self, b: reqwest::blocking::RequestBuilder) -> reqwest::blocking::RequestBuilder {
        b.bearer_auth(format!("{}.{}", self.creds.device_id, self.creds.secret))
            .header(reqwest::header::ACCEPT_ENCODING, "zstd")
    }

    /// Record what the server answered, in one store transaction with
    /// `cursor` and `extra_meta`. Returns the documents to fetch whole next
    /// time.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn apply(
        &self,
        resp: &SyncResponse,
        sent: &Sent,
        asked: &[ByteBuf],
        how: Answer,
        cursor: u64,
        extra_meta: &[(&str, String)],
        report: &mut SyncReport,
    ) -> Result<Vec<DocId>, SyncError> {
        let (mut acknowledged, mut rejected) = (Vec::new(), Vec::new());
        for r in &resp.results {
            let Some(id) = protocol::id_from_bytes(&r.id) else { continue };
            let Some(heads) = sent.get(&id) else { continue };
            match &r.outcome {
                PushOutcome::Accepted { .. } => acknowledged.push((id, heads.clone())),
                PushOutcome::Rejected(rej) => rejected.push((id, rej.code.as_str().to_string(), rej.message.clone())),
            }
        }
        let pulled: Vec<(DocId, &[u8])> =
            resp.docs.iter().filter_map(|d| Some((protocol::id_from_bytes(&d.id)?, d.changes.as_slice()))).collect();
        let fetched: Vec<DocId> = asked.iter().filter_map(|b| protocol::id_from_bytes(b)).collect();
        // An answer under a new storage epoch (a receipt or scope bundle
        // from a restored server): what the old database acknowledged is
        // gone, and the pull started from a cursor of the old one. Online,
        // a restored server refuses a request under the old epoch (409
        // `epoch_changed`, above): when it answers one with a new epoch, it
        // kept everything but renumbered its cursors, pulled this page from
        // 0, and the answer's cursor is of the new numbering.
        let restored = match (how, self.store.meta(EPOCH_KEY)?, &resp.epoch) {
            (Answer::Online, ..) => false,
            (Answer::File, Some(ours), Some(theirs)) => ours != *theirs,
            (Answer::File, ..) => false,
        };
        if restored {
            tracing::warn!("answer from a restored server: sending everything again");
            self.store.forget_server_state(&[CURSOR_KEY, EPOCH_KEY])?;
        }
        let cursor = if restored { 0 } else { cursor };
        let mut meta = vec![(CURSOR_KEY, cursor.to_string())];
        if !resp.more {
            meta.push((LAST_SYNC_KEY, resp.server_time.clone()));
        }
        if let Some(epoch) = &resp.epoch {
            meta.push((EPOCH_KEY, epoch.clone()));
        }
        meta.extend(extra_meta.iter().cloned());
        let failed = self.store.apply_round_trip(&RoundTrip {
            acknowledged: &acknowledged,
            rejected: &rejected,
            pulled: &pulled,
            fetched: &fetched,
            meta: &meta,
            signers: &resp.signers,
        })?;
        report.accepted += acknowledged.len();
        report.rejected += rejected.len();
        report.pulled += pulled.len() - failed.len();
        let mut refetch = Vec::new();
        for (id, e) in failed {
            match e {
                StoreError::Document { source: DocError::MissingDependencies { .. }, .. } if !fetched.contains(&id) => {
                    refetch.push(id)
                }
                // Keep syncing the rest; the document stays as it was.
                e => tracing::warn!(%id, error = %e, "could not apply pulled document"),
            }
        }
        Ok(refetch)
    }
}

/// The server's own time in `Server-Timing: app;dur=<ms>`, zero if absent.
pub(super) fn server_time(headers: &reqwest::header::HeaderMap) -> Duration {
    headers
        .get("server-timing")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').find_map(|p| p.trim().strip_prefix("dur=")))
        .and_then(|ms| ms.parse::<f64>().ok())
        .filter(|ms| ms.is_finite() && *ms >= 0.0)
        .map_or(Duration::ZERO, |ms| Duration::from_secs_f64(ms / 1000.0))
}

pub(super) fn decompress(raw: &[u8]) -> Result<Vec<u8>, SyncError> {
    let mut out = Vec::new();
    zstd::stream::read::Decoder::new(raw)
        .and_then(|mut d| d.read_to_end(&mut out))
        .map_err(|e| SyncError::Protocol(format!("bad zstd body: {e}")))?;
    Ok(out)
}

pub(super) fn error_from(status: u16, body: &[u8]) -> SyncError {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let (code, message) = match parsed {
        Some(b) => (b.code, b.message),
        None => (String::from("unknown"), String::from_utf8_lossy(body).chars().take(200).collect()),
    };
    match (status, code.as_str()) {
        (401, "device_revoked") => SyncError::Revoked { message, wipe: None },
        (401 | 403, _) => SyncError::Unauthorized { message },
        _ => SyncError::Server { status, code, message },
    }
}
