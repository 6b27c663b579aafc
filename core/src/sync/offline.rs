//! Sync by file, for a tablet with no network at all (see [`super::bundle`]).
//!
//! [`SyncClient::export_bundle`] writes the request a sync would send; the
//! tablet remembers, under the bundle's id, the heads it carries.
//! [`SyncClient::import_bundle`] reads HR's receipt (or a scope bundle) and
//! records it exactly as a sync's answer, in one store transaction with the
//! note that this receipt was imported: importing it twice is once.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};

use super::SyncError;
use super::bundle::{self, BundleError, BundleKind, Envelope};
use super::client::{MAX_PUSH_PER_REQUEST, Sent, SyncClient, SyncReport};
use super::protocol::{self, PROTOCOL_VERSION, SyncResponse};
use crate::model::DocId;
use crate::store::Store;

/// At most this many documents are asked for whole in one bundle (the
/// server's limit per request).
const MAX_FETCH_PER_BUNDLE: usize = 5000;

/// What [`SyncClient::export_bundle`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleExport {
    pub bundle_id: String,
    /// Documents in the file.
    pub documents: usize,
    /// Documents still waiting: more than one bundle holds (export again
    /// after importing the receipt).
    pub remaining: usize,
    pub bytes: usize,
}

/// What [`SyncClient::import_bundle`] recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BundleImport {
    pub kind: BundleKind,
    pub bundle_id: String,
    pub accepted: usize,
    pub rejected: usize,
    pub pulled: usize,
    /// This receipt was imported before; nothing was recorded again.
    pub already_imported: bool,
}

/// What the tablet keeps of a push bundle until its receipt comes back.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum Memo {
    Sent { sent: HashMap<String, Vec<String>>, fetch: Vec<String> },
    Imported,
}

fn memo_key(bundle_id: &str) -> String {
    format!("bundle.{bundle_id}")
}

fn file_error(path: &Path, e: std::io::Error) -> SyncError {
    SyncError::File(format!("{}: {e}", path.display()))
}

impl SyncClient {
    /// Write everything not yet acknowledged into one bundle file at `path`
    /// (replaced whole, never left half-written).
    pub fn export_bundle(&self, path: &Path) -> Result<BundleExport, SyncError> {
        let pending = self.store.pending()?;
        let docs = pending.get(..MAX_PUSH_PER_REQUEST).unwrap_or(&pending);
        let mut fetch = self.store.wanted()?;
        fetch.truncate(MAX_FETCH_PER_BUNDLE);
        let (env, file, sent) = self.push_bundle(docs, &fetch)?;
        let memo = Memo::Sent {
            sent: sent
                .iter()
                .map(|(id, heads)| (id.to_string(), heads.iter().map(|h| h.to_string()).collect()))
                .collect(),
            fetch: fetch.iter().map(|id| id.to_string()).collect(),
        };
        write_whole(path, &file)?;
        // Only once the file is written: a failed write leaves no memo.
        let json = serde_json::to_string(&memo).map_err(|e| SyncError::Protocol(e.to_string()))?;
        self.store.set_meta(&memo_key(&env.id), &json)?;
        Ok(BundleExport {
            bundle_id: env.id,
            documents: docs.len(),
            remaining: pending.len() - docs.len(),
            bytes: file.len(),
        })
    }

    /// The push bundle (sealed file bytes) that pushes `docs` and asks for
    /// `fetch`: exactly the request a sync would send. Also what a revoked
    /// device leaves for HR (`wipe.rs`).
    pub(super) fn push_bundle(
        &self,
        docs: &[(DocId, crate::doc::DocKind)],
        fetch: &[DocId],
    ) -> Result<(Envelope, Vec<u8>, Sent), SyncError> {
        let (req, sent) = self.request(docs, fetch)?;
        let env = Envelope::new(BundleKind::Push, &self.creds.tenant_id, &self.creds.device_id, protocol::encode(&req));
        let file = bundle::seal(&env, &bundle::device_key(&self.creds.secret));
        Ok((env, file, sent))
    }

    /// Import HR's receipt for one of this tablet's bundles, or a scope
    /// bundle HR wrote for it. A file that is not for this device and
    /// tenant, altered, truncated or of another kind is refused with
    /// nothing recorded.
    pub fn import_bundle(&self, path: &Path) -> Result<BundleImport, SyncError> {
        let bytes = read_bounded(path)?;
        let env = bundle::open(&bytes)?.verify(&bundle::device_key(&self.creds.secret))?;
        if env.device_id != self.creds.device_id {
            return Err(
                BundleError::WrongDevice { expected: self.creds.device_id.clone(), found: env.device_id }.into()
            );
        }
        if env.tenant_id != self.creds.tenant_id {
            return Err(
                BundleError::WrongTenant { expected: self.creds.tenant_id.clone(), found: env.tenant_id }.into()
            );
        }
        let (sent, fetch, memo) = match env.kind {
            found @ (BundleKind::Push | BundleKind::Enrollment) => {
                return Err(BundleError::WrongKind { expected: BundleKind::Receipt, found }.into());
            }
            BundleKind::Scope => (Sent::new(), Vec::new(), None),
            BundleKind::Receipt => {
                let answered = env.in_reply_to.clone().unwrap_or_default();
                let key = memo_key(&answered);
                let stored = self.store.meta(&key)?.ok_or_else(|| BundleError::UnknownBundle(answered.clone()))?;
                match serde_json::from_str::<Memo>(&stored).map_err(|e| SyncError::Protocol(e.to_string()))? {
                    Memo::Imported => {
                        return Ok(BundleImport {
                            kind: env.kind,
                            bundle_id: env.id,
                            accepted: 0,
                            rejected: 0,
                            pulled: 0,
                            already_imported: true,
                        });
                    }
                    Memo::Sent { sent, fetch } => (parse_sent(&sent)?, parse_ids(&fetch)?, Some(key)),
                }
            }
        };
        let resp: SyncResponse = protocol::decode(&env.message()?).map_err(|e| BundleError::Body(e.to_string()))?;
        self.record(env.kind, env.id, &resp, &sent, &fetch, memo.as_deref())
    }

    /// Enroll a tablet that was never online from HR's enrollment bundle
    /// and the enrollment code (typed by the supervisor), and load its scope.
    /// Only a fresh store: one that holds no document, key or enrollment.
    pub fn enroll_from_bundle(store: Arc<Store>, path: &Path, code: &str) -> Result<(Self, BundleImport), SyncError> {
        let bytes = read_bounded(path)?;
        let payload = bundle::open_enrollment(&bytes, code)?;
        let e = payload.enroll;
        let device: crate::model::DeviceId = e.device_id.parse().map_err(|_| BundleError::Body("device id".into()))?;
        if !store.adopt_device_id(device)? {
            return Err(BundleError::NotFresh.into());
        }
        let client = Self::enrolled(store, e, &payload.server_url)?;
        let id = uuid::Uuid::new_v4().to_string();
        let done = client.record(BundleKind::Enrollment, id, &payload.scope, &Sent::new(), &[], None)?;
        Ok((client, done))
    }

    /// Record a receipt's or scope's answer, with the memo marked imported.
    fn record(
        &self,
        kind: BundleKind,
        bundle_id: String,
        resp: &SyncResponse,
        sent: &Sent,
        fetch: &[DocId],
        memo: Option<&str>,
    ) -> Result<BundleImport, SyncError> {
        if resp.v != PROTOCOL_VERSION {
            return Err(BundleError::Body(format!("protocol {}", resp.v)).into());
        }
        let asked: Vec<_> = fetch.iter().map(|id| protocol::id_bytes(*id)).collect();
        // A receipt older than what the tablet already pulled online must
        // not move its cursor back.
        let cursor = resp.cursor.max(self.cursor()?);
        let mut extra = Vec::new();
        if let Some(key) = memo {
            let done = serde_json::to_string(&Memo::Imported).map_err(|e| SyncError::Protocol(e.to_string()))?;
            extra.push((key, done));
        }
        let mut report = SyncReport::default();
        let refetch = self.apply(resp, sent, &asked, super::client::Answer::File, cursor, &extra, &mut report)?;
        self.store.want(&refetch)?;
        Ok(BundleImport {
            kind,
            bundle_id,
            accepted: report.accepted,
            rejected: report.rejected,
            pulled: report.pulled,
            already_imported: false,
        })
    }
}

fn parse_ids(ids: &[String]) -> Result<Vec<DocId>, SyncError> {
    ids.iter().map(|s| s.parse().map_err(|e| SyncError::Protocol(format!("stored bundle memo: {e}")))).collect()
}

fn parse_sent(sent: &HashMap<String, Vec<String>>) -> Result<Sent, SyncError> {
    let mut out = Sent::new();
    for (id, heads) in sent {
        let id: DocId = id.parse().map_err(|e| SyncError::Protocol(format!("stored bundle memo: {e}")))?;
        let heads: Result<Vec<ChangeHash>, _> = heads.iter().map(|h| h.parse()).collect();
        out.insert(id, heads.map_err(|e| SyncError::Protocol(format!("stored bundle memo: {e:?}")))?);
    }
    Ok(out)
}

/// Write through a temporary file beside `path`, then rename: a card pulled
/// out mid-write leaves the old file or none, never half of one.
pub(super) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), SyncError> {
    use std::io::Write;
    let tmp = path.with_extension("part");
    let mut f = std::fs::File::create(&tmp).map_err(|e| file_error(&tmp, e))?;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(|e| file_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| file_error(path, e))
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, SyncError> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| file_error(path, e))?;
    let mut out = Vec::new();
    f.take(bundle::MAX_FILE_BYTES as u64 + 1).read_to_end(&mut out).map_err(|e| file_error(path, e))?;
    if out.len() > bundle::MAX_FILE_BYTES {
        return Err(BundleError::TooLarge.into());
    }
    Ok(out)
}
