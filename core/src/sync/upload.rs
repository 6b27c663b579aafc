//! A request body too large to risk on one connection goes as a resumable
//! upload (docs/PROTOCOL.md, "Resumable uploads"): opened with its length,
//! sent in parts of about a batch of the link, continued after a cut from
//! the offset the server holds, then processed by the server, whose kept
//! answer is fetched again if it was cut on the way. Nothing the server
//! received is sent twice.
//!
//! The upload's id and the body's hash are kept in the store until the
//! answer is recorded: the next sync after a cut rebuilds the same body
//! (same pending changes, same cursor) and continues the same upload; a
//! different body (the supervisor edited meanwhile) starts a new one and
//! forgets the old.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::SyncError;
use super::client::{SyncClient, SyncReport, cut, decompress, error_from, server_time, transport};
use super::link::Link;
use super::protocol::{UPLOADS_PATH, UploadState};

/// Bodies larger than this (compressed) go as a resumable upload.
pub const RESUMABLE_ABOVE: usize = 48 * 1024;
/// On a link measured slower than this (bytes/s: 2G, EDGE), or far (small
/// exchanges slower than [`Link::is_far`]'s 250 ms: 2G, EDGE, VSAT), every body
/// does: an answer cut on the way is then fetched again instead of sending
/// the body again, for one more round trip per sync. On a good link (LAN,
/// 4G) small bodies go in one request.
pub const SLOW_LINK: f64 = 64_000.0;

/// Whether a body of `len` bytes goes as a resumable upload on `link`.
pub fn resumable(len: usize, link: &Link) -> bool {
    len > RESUMABLE_ABOVE || link.bytes_per_sec().is_some_and(|b| b < SLOW_LINK) || link.is_far()
}
pub(super) const UPLOAD_KEY: &str = "sync.upload";

#[derive(Debug, Serialize, Deserialize)]
struct Memo {
    id: String,
    sha256: String,
    length: usize,
}

/// (status, body, body is zstd, the server's own time) of the answer.
type Answer = (u16, Vec<u8>, bool, std::time::Duration);

impl SyncClient {
    /// Send `body` as a resumable upload in parts sized to `link` (each
    /// part measures it; a cut halves it, kept at once) and return the
    /// server's answer to it.
    pub(super) fn upload(&self, body: &[u8], link: &mut Link, report: &mut SyncReport) -> Result<Answer, SyncError> {
        let sha = hex(&Sha256::digest(body));
        let kept: Option<Memo> =
            self.store.meta(UPLOAD_KEY)?.filter(|m| !m.is_empty()).and_then(|m| serde_json::from_str(&m).ok());
        let (id, resumed) = match kept {
            Some(m) if m.sha256 == sha && m.length == body.len() => (m.id, true),
            other => {
                if let Some(old) = other {
                    // Best effort: the server forgets it within a day anyway.
                    let _ = self.authed(self.http.delete(self.url(&old.id))).send();
                }
                let memo = Memo { id: uuid::Uuid::new_v4().to_string(), sha256: sha, length: body.len() };
                let json = serde_json::to_string(&memo).map_err(|e| SyncError::Protocol(e.to_string()))?;
                self.store.set_meta(UPLOAD_KEY, &json)?;
                (memo.id, false)
            }
        };
        // A new upload's first part goes with the opening (one round trip
        // for a body that fits a part); a resumed one asks where it stands.
        let first = if resumed { &[][..] } else { body.get(..link.part_bytes().min(body.len())).unwrap_or_default() };
        let mut state = match self.open(&id, body.len(), first, report)? {
            Ok(s) => s,
            Err(answer) => return Ok(answer),
        };
        while state.offset < state.length && !state.answered {
            let part = link.part_bytes();
            let from = usize::try_from(state.offset).unwrap_or(usize::MAX);
            let Some(chunk) = body.get(from..(from.saturating_add(part)).min(body.len())) else {
                return Err(SyncError::Protocol(format!("server holds {} of {} bytes", state.offset, body.len())));
            };
            let started = std::time::Instant::now();
            let sent = self
                .authed(self.http.patch(self.url(&id)))
                .header("upload-offset", state.offset.to_string())
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(chunk.to_vec())
                .send();
            report.bytes_sent += chunk.len();
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    link.cut();
                    link.save(&self.store)?;
                    return Err(transport(e));
                }
            };
            state = match resp.status().as_u16() {
                200 => {
                    let s = upload_state(resp)?;
                    link.observe(chunk.len(), started.elapsed());
                    s
                }
                // Another offset than ours (a part's acknowledgement was lost):
                // ask where it stands and go on from there.
                409 => upload_state(self.authed(self.http.get(self.url(&id))).send().map_err(transport)?)?,
                status => return Err(error_from(status, &resp.bytes().map_err(cut)?)),
            };
        }
        let resp = self.authed(self.http.post(format!("{}/sync", self.url(&id)))).send().map_err(transport)?;
        let status = resp.status().as_u16();
        let zstd = resp.headers().get(reqwest::header::CONTENT_ENCODING).is_some_and(|v| v == "zstd");
        let server = server_time(resp.headers());
        Ok((status, resp.bytes().map_err(cut)?.to_vec(), zstd, server))
    }

    /// Open (or find) upload `id`, with its first part; an error answer is
    /// returned as is.
    fn open(
        &self,
        id: &str,
        length: usize,
        first: &[u8],
        report: &mut SyncReport,
    ) -> Result<Result<UploadState, Answer>, SyncError> {
        report.bytes_sent += first.len();
        let resp = self
            .authed(self.http.put(self.url(id)))
            .header("upload-length", length.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(first.to_vec())
            .send();
        let resp = resp.map_err(transport)?;
        let status = resp.status().as_u16();
        if status != 200 {
            let zstd = resp.headers().get(reqwest::header::CONTENT_ENCODING).is_some_and(|v| v == "zstd");
            return Ok(Err((status, resp.bytes().map_err(cut)?.to_vec(), zstd, std::time::Duration::ZERO)));
        }
        Ok(Ok(upload_state(resp)?))
    }

    fn url(&self, id: &str) -> String {
        format!("{}{UPLOADS_PATH}/{id}", self.creds.server_url)
    }
}

/// The JSON state an upload route answers with.
fn upload_state(resp: reqwest::blocking::Response) -> Result<UploadState, SyncError> {
    let status = resp.status().as_u16();
    let zstd = resp.headers().get(reqwest::header::CONTENT_ENCODING).is_some_and(|v| v == "zstd");
    let raw = resp.bytes().map_err(cut)?;
    let body = if zstd { decompress(&raw)? } else { raw.to_vec() };
    if status != 200 {
        return Err(error_from(status, &body));
    }
    serde_json::from_slice(&body).map_err(|e| SyncError::Protocol(format!("upload state: {e}")))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
