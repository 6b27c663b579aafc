//! The people who sign in on this device, their sealed keys, and the
//! signature of every change made here.
//!
//! - [`Store::sign_in`] makes a person's key on first sign-in (sealed under
//!   their PIN) or opens it; the open key stays in memory only, until
//!   [`Store::sign_out`] or the app ends.
//! - Wrong PINs are counted in the store file, so restarting the app does
//!   not reset them: after [`FREE_ATTEMPTS`] each try waits (30 s, doubling),
//!   and after [`MAX_PIN_ATTEMPTS`] the sealed key is wiped.
//! - Every change this device commits is signed by the key of the person it
//!   names, in the same transaction (`documents.rs`); a change by someone not
//!   signed in is refused before anything is written.
//! - A new key is *pending* until the server binds it (the next sync sends
//!   it with the person code from BKPSDM); documents signed by a pending key
//!   with no code wait on the device, shown as "menunggu verifikasi".

use std::collections::HashMap;

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_bytes::ByteBuf;

use super::{Store, StoreError};
use crate::model::DocId;
use crate::signing::PersonKey;
use crate::signing::seal::{SealError, Sealed, seal, unseal};
use crate::sync::protocol::{ChangeSig, SignerBinding};

/// Wrong PINs before the key is wiped.
pub const MAX_PIN_ATTEMPTS: u32 = 5;
/// Wrong PINs allowed without waiting.
pub const FREE_ATTEMPTS: u32 = 2;
const FIRST_DELAY_MS: i64 = 30_000;

/// Where a person's key on this device stands with the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerStatus {
    /// Made here, not yet bound by the server: changes wait.
    Pending,
    /// Bound to the person on the server: changes are verified.
    Bound,
    /// Revoked by BKPSDM, or refused: sign in anew with a new person code.
    Revoked,
    /// Too many wrong PINs: the sealed key was erased.
    Wiped,
}

impl SignerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Bound => "bound",
            Self::Revoked => "revoked",
            Self::Wiped => "wiped",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "bound" => Self::Bound,
            "revoked" => Self::Revoked,
            "wiped" => Self::Wiped,
            _ => Self::Pending,
        }
    }

    /// In Bahasa Indonesia, for the app.
    pub fn label_id(self) -> &'static str {
        match self {
            Self::Pending => "menunggu verifikasi",
            Self::Bound => "terverifikasi",
            Self::Revoked => "dicabut",
            Self::Wiped => "dihapus (PIN salah berulang kali)",
        }
    }
}

/// A person with a key on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerInfo {
    pub person: String,
    /// Public key, hex.
    pub public_key: String,
    pub status: SignerStatus,
    /// The server's word on the last binding attempt or the revocation.
    pub message: Option<String>,
    /// A person code waits to be sent with the next sync (a bound key's
    /// spent code is kept for a restored server, but does not wait).
    pub has_code: bool,
}

type SignerRow = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>, String, u32, i64);

impl Store {
    /// Sign `person` in with `pin`, making their key on first sign-in here.
    /// `code` is the one-time person code from BKPSDM that binds a new key
    /// (it may also come later, with another sign-in).
    pub fn sign_in(&self, person: &str, pin: &str, code: Option<&str>) -> Result<SignerInfo, StoreError> {
        self.sign_in_at(person, pin, code, chrono::Utc::now().timestamp_millis())
    }

    /// [`Store::sign_in`] at a given clock (milliseconds), for tests of the
    /// waiting time.
    pub fn sign_in_at(&self, person: &str, pin: &str, code: Option<&str>, now: i64) -> Result<SignerInfo, StoreError> {
        let device = self.device_id().to_string();
        let conn = self.lock();
        let code = code.map(str::trim).filter(|c| !c.is_empty());
        let row: Option<SignerRow> = conn
            .query_row(
                "SELECT public_key, salt, nonce, sealed, status, failed_attempts, retry_at FROM signers WHERE person = ?1",
                [person],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            )
            .optional()?;
        let key = match row {
            Some((_, Some(salt), Some(nonce), Some(sealed), status, failed, retry_at))
                if SignerStatus::parse(&status) != SignerStatus::Revoked =>
            {
                if retry_at > now {
                    return Err(StoreError::PinLocked { retry_after_secs: ((retry_at - now + 999) / 1000) as u64 });
                }
                let sealed = Sealed {
                    salt: salt.as_slice().try_into().map_err(|_| corrupt_key(person))?,
                    nonce: nonce.as_slice().try_into().map_err(|_| corrupt_key(person))?,
                    ciphertext: sealed,
                };
                match unseal(&sealed, pin) {
                    Ok(key) => {
                        let proof = code.map(|_| key.sign_binding(&device, person).to_vec());
                        conn.execute(
                            "UPDATE signers SET failed_attempts = 0, retry_at = 0,
                                    bind_code = COALESCE(?2, bind_code), bind_proof = COALESCE(?3, bind_proof)
                             WHERE person = ?1",
                            params![person, code, proof],
                        )?;
                        key
                    }
                    Err(SealError::WrongPin) => return Err(wrong_pin(&conn, person, failed + 1, now)?),
                    Err(SealError::Crypto(e)) => return Err(StoreError::Signing(e)),
                }
            }
            // First sign-in here, or the old key was wiped or revoked: a new key.
            _ => {
                let key = PersonKey::generate().map_err(|e| StoreError::Signing(e.to_string()))?;
                let sealed = seal(&key, pin).map_err(|e| StoreError::Signing(e.to_string()))?;
                let proof = code.map(|_| key.sign_binding(&device, person).to_vec());
                conn.execute(
                    "INSERT OR REPLACE INTO signers
                        (person, public_key, salt, nonce, sealed, status, bind_code, bind_proof, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8)",
                    params![
                        person,
                        key.public().to_vec(),
                        sealed.salt.to_vec(),
                        sealed.nonce.to_vec(),
                        sealed.ciphertext,
                        code,
                        proof,
                        now
                    ],
                )?;
                key
            }
        };
        lock_map(&self.unlocked).insert(person.to_string(), key);
        drop(conn);
        self.signer(person)?.ok_or_else(|| corrupt_key(person))
    }

    /// Close `person`'s key: their next change needs the PIN again.
    pub fn sign_out(&self, person: &str) {
        lock_map(&self.unlocked).remove(person);
    }

    pub fn is_signed_in(&self, person: &str) -> bool {
        lock_map(&self.unlocked).contains_key(person)
    }

    pub fn signer(&self, person: &str) -> Result<Option<SignerInfo>, StoreError> {
        Ok(self.signers()?.into_iter().find(|s| s.person == person))
    }

    /// Everyone with a key on this device.
    pub fn signers(&self) -> Result<Vec<SignerInfo>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT person, public_key, status, status_message, bind_code IS NOT NULL AND status = 'pending'
             FROM signers ORDER BY person",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SignerInfo {
                person: r.get(0)?,
                public_key: crate::signing::hex(&r.get::<_, Vec<u8>>(1)?),
                status: SignerStatus::parse(&r.get::<_, String>(2)?),
                message: r.get(3)?,
                has_code: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Keys to send with the next sync: those waiting to be bound with a
    /// person code, with its proof of possession (made when the code was
    /// entered, so the person need not still be signed in at sync time).
    /// Bound keys are not resent: the server reports every key of this
    /// device in each answer, revocations included.
    pub fn bindings(&self) -> Result<Vec<SignerBinding>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT person, public_key, bind_code, bind_proof FROM signers
             WHERE status = 'pending' AND bind_code IS NOT NULL AND bind_proof IS NOT NULL ORDER BY person",
        )?;
        let rows = stmt.query_map([], |r| {
            let code: Option<String> = r.get(2)?;
            let proof: Option<Vec<u8>> = r.get(3)?;
            Ok(SignerBinding {
                person: r.get(0)?,
                key: ByteBuf::from(r.get::<_, Vec<u8>>(1)?),
                code: code.filter(|_| proof.is_some()),
                proof: proof.map(ByteBuf::from),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record what the server said of a key. A revoked or refused key is
    /// wiped here too: its person signs in anew with a new person code.
    pub(crate) fn set_signer_status_in(
        conn: &Connection,
        key: &[u8],
        status: SignerStatus,
        message: Option<&str>,
        code_consumed: bool,
    ) -> Result<(), StoreError> {
        conn.prepare_cached(
            "UPDATE signers SET status = ?2, status_message = ?3,
                    bind_code = CASE WHEN ?4 THEN NULL ELSE bind_code END,
                    bind_proof = CASE WHEN ?4 THEN NULL ELSE bind_proof END,
                    sealed = CASE WHEN ?2 = 'revoked' THEN NULL ELSE sealed END
             WHERE public_key = ?1",
        )?
        .execute(params![key, status.as_str(), message, code_consumed])?;
        Ok(())
    }

    /// Sign every change this device made in `new` (changes after `before`)
    /// with `person`'s open key, inside the caller's transaction.
    pub(crate) fn sign_changes(
        &self,
        tx: &Connection,
        doc: DocId,
        new: &[(ChangeHash, Vec<u8>)],
        person: &str,
    ) -> Result<(), StoreError> {
        let device = self.device_id();
        let mine: Vec<&ChangeHash> =
            new.iter().filter(|(_, actor)| actor.as_slice() == device.as_bytes()).map(|(h, _)| h).collect();
        if mine.is_empty() {
            return Ok(());
        }
        let open = lock_map(&self.unlocked);
        let key = open.get(person).ok_or_else(|| StoreError::NotSignedIn { person: person.to_string() })?;
        let id = doc.to_string();
        let public = key.public().to_vec();
        for hash in mine {
            let last: Option<(i64, Vec<u8>)> = tx
                .prepare_cached(
                    "SELECT n, public_key FROM change_signatures WHERE doc_id = ?1 ORDER BY n DESC LIMIT 1",
                )?
                .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            // The same key's earlier change is covered by this one now.
            if let Some((n, k)) = &last
                && *k == public
            {
                tx.prepare_cached("UPDATE change_signatures SET run_end = 0 WHERE doc_id = ?1 AND n = ?2")?
                    .execute(params![id, n])?;
            }
            tx.prepare_cached(
                "INSERT OR REPLACE INTO change_signatures (doc_id, hash, public_key, sig, n, run_end)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1)",
            )?
            .execute(params![
                id,
                hash.0.to_vec(),
                public,
                key.sign_change(doc, hash).to_vec(),
                last.map_or(0, |l| l.0 + 1)
            ])?;
        }
        Ok(())
    }
}

impl Store {
    /// Sign, as `person` (signed in), every change in `changes` made by this
    /// device: for changes built outside the store (tools, tests). `changes`
    /// must load on its own (a whole document, or it with more changes
    /// appended). Ed25519 is deterministic: a change signed twice has one
    /// signature.
    pub fn sign_bytes(&self, person: &str, doc: DocId, changes: &[u8]) -> Result<Vec<ChangeSig>, StoreError> {
        let mut am = automerge::AutoCommit::load(changes).map_err(|e| StoreError::Signing(e.to_string()))?;
        let device = self.device_id();
        let open = lock_map(&self.unlocked);
        let key = open.get(person).ok_or_else(|| StoreError::NotSignedIn { person: person.to_string() })?;
        Ok(am
            .get_changes_meta(&[])
            .into_iter()
            .filter(|c| c.actor.to_bytes() == device.as_bytes().as_slice())
            .map(|c| ChangeSig {
                hash: ByteBuf::from(c.hash.0.to_vec()),
                key: ByteBuf::from(key.public().to_vec()),
                sig: ByteBuf::from(key.sign_change(doc, &c.hash).to_vec()),
            })
            .collect())
    }
}

/// Signatures to send for `doc`'s changes (all, or among `hashes`): the
/// last change of each run signed by one key, which covers the run.
pub(crate) fn signatures(
    conn: &Connection,
    doc: DocId,
    hashes: Option<&[ChangeHash]>,
) -> Result<Vec<ChangeSig>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT hash, public_key, sig FROM change_signatures WHERE doc_id = ?1 AND run_end = 1")?;
    let rows = stmt.query_map([doc.to_string()], |r| {
        Ok(ChangeSig {
            hash: ByteBuf::from(r.get::<_, Vec<u8>>(0)?),
            key: ByteBuf::from(r.get::<_, Vec<u8>>(1)?),
            sig: ByteBuf::from(r.get::<_, Vec<u8>>(2)?),
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        let s = row?;
        if hashes.is_none_or(|hs| hs.iter().any(|h| h.0.as_slice() == s.hash.as_slice())) {
            out.push(s);
        }
    }
    Ok(out)
}

fn wrong_pin(conn: &Connection, person: &str, failed: u32, now: i64) -> Result<StoreError, StoreError> {
    if failed >= MAX_PIN_ATTEMPTS {
        conn.execute(
            "UPDATE signers SET sealed = NULL, salt = NULL, nonce = NULL, status = 'wiped',
                    failed_attempts = ?2, retry_at = 0
             WHERE person = ?1",
            params![person, failed],
        )?;
        return Ok(StoreError::KeyWiped { person: person.to_string() });
    }
    let retry_at = if failed > FREE_ATTEMPTS { now + (FIRST_DELAY_MS << (failed - FREE_ATTEMPTS - 1)) } else { 0 };
    conn.execute(
        "UPDATE signers SET failed_attempts = ?2, retry_at = ?3 WHERE person = ?1",
        params![person, failed, retry_at],
    )?;
    Ok(StoreError::WrongPin { attempts_left: MAX_PIN_ATTEMPTS - failed })
}

fn corrupt_key(person: &str) -> StoreError {
    StoreError::Signing(format!("the stored key of {person} is damaged"))
}

fn lock_map(m: &std::sync::Mutex<HashMap<String, PersonKey>>) -> std::sync::MutexGuard<'_, HashMap<String, PersonKey>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
