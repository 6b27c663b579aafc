//! Person-level signatures: every change is signed by the person who made it.
//!
//! Tablets are shared, so a device key cannot say *who* approved an
//! appraisal. Each person who works on a device gets an Ed25519 key pair
//! made on that device ([`PersonKey`]); its private half never leaves the
//! device and is sealed under the person's PIN ([`seal`]). The server binds
//! the public half to the person only through a one-time person code issued
//! by BKPSDM (see docs/PROTOCOL.md, "Signatures"), and from then on accepts
//! a change only with a valid signature by a bound, unrevoked key of the
//! person the change names, on the device that sends it.
//!
//! A signature covers the document id and the change hash
//! ([`change_message`]): the hash already commits to the change's actor,
//! sequence, dependencies, time, message and operations, and the id stops a
//! signature being replayed onto another document that could load the same
//! change.
//!
//! ```
//! use automerge::ChangeHash;
//! use prestasi_core::model::DocId;
//! use prestasi_core::signing::{PersonKey, verify_change};
//!
//! let key = PersonKey::generate().unwrap();
//! let doc = DocId::new();
//! let hash = ChangeHash([7; 32]);
//! let sig = key.sign_change(doc, &hash);
//! assert!(verify_change(doc, &hash, &key.public(), &sig).is_ok());
//! // The same signature does not hold for another document.
//! assert!(verify_change(DocId::new(), &hash, &key.public(), &sig).is_err());
//! ```

pub mod audit;
pub mod seal;

use automerge::ChangeHash;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use crate::model::DocId;

/// Domain separation: a change signature can never be mistaken for any
/// other signed message (a binding proof, another protocol).
const CHANGE_CONTEXT: &[u8] = b"prestasi/change/v1\0";
const BINDING_CONTEXT: &[u8] = b"prestasi/bind/v1\0";

pub const PUBLIC_KEY_LEN: usize = 32;
pub const SIGNATURE_LEN: usize = 64;

/// Why a signature does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("public key is not 32 bytes or not a valid Ed25519 point")]
    BadKey,
    #[error("signature is not 64 bytes")]
    Truncated,
    #[error("signature does not verify")]
    Invalid,
}

/// The bytes a change signature covers: context, document id, change hash.
pub fn change_message(doc: DocId, hash: &ChangeHash) -> Vec<u8> {
    let mut m = Vec::with_capacity(CHANGE_CONTEXT.len() + 16 + 32);
    m.extend_from_slice(CHANGE_CONTEXT);
    m.extend_from_slice(doc.as_bytes());
    m.extend_from_slice(&hash.0);
    m
}

/// The bytes a binding proof covers: the key holder shows it owns the key
/// it asks the server to bind to `person` on `device`.
pub fn binding_message(device: &str, person: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(BINDING_CONTEXT.len() + device.len() + person.len() + 1);
    m.extend_from_slice(BINDING_CONTEXT);
    m.extend_from_slice(device.as_bytes());
    m.push(0);
    m.extend_from_slice(person.as_bytes());
    m
}

/// One person's signing key on one device.
#[derive(Debug, Clone)]
pub struct PersonKey(SigningKey);

impl PersonKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut secret = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(secret.as_mut())?;
        Ok(Self(SigningKey::from_bytes(&secret)))
    }

    pub fn from_secret(secret: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(secret))
    }

    /// The 32 secret bytes, to seal (zeroed when dropped).
    pub fn secret(&self) -> zeroize::Zeroizing<[u8; 32]> {
        zeroize::Zeroizing::new(self.0.to_bytes())
    }

    pub fn public(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.0.verifying_key().to_bytes()
    }

    pub fn sign_change(&self, doc: DocId, hash: &ChangeHash) -> [u8; SIGNATURE_LEN] {
        self.0.sign(&change_message(doc, hash)).to_bytes()
    }

    pub fn sign_binding(&self, device: &str, person: &str) -> [u8; SIGNATURE_LEN] {
        self.0.sign(&binding_message(device, person)).to_bytes()
    }
}

fn verify(message: &[u8], key: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
    let key: &[u8; PUBLIC_KEY_LEN] = key.try_into().map_err(|_| SignatureError::BadKey)?;
    let key = VerifyingKey::from_bytes(key).map_err(|_| SignatureError::BadKey)?;
    let sig: &[u8; SIGNATURE_LEN] = sig.try_into().map_err(|_| SignatureError::Truncated)?;
    let sig = ed25519_dalek::Signature::from_bytes(sig);
    // Strict: rejects small-order keys and malleable encodings, so one
    // change has exactly one valid signature per key.
    key.verify_strict(message, &sig).map_err(|_| SignatureError::Invalid)
}

/// Does `sig` sign change `hash` of document `doc` with `key`?
pub fn verify_change(doc: DocId, hash: &ChangeHash, key: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
    verify(&change_message(doc, hash), key, sig)
}

/// Does `proof` show the holder of `key` asked to bind it to `person` on
/// `device`?
pub fn verify_binding(device: &str, person: &str, key: &[u8], proof: &[u8]) -> Result<(), SignatureError> {
    verify(&binding_message(device, person), key, proof)
}

/// Lower-case hex, for keys and hashes shown to people and in JSON.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Parse lower- or upper-case hex.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forged_truncated_and_foreign_signatures_fail() {
        let key = PersonKey::generate().unwrap();
        let other = PersonKey::generate().unwrap();
        let doc = DocId::new();
        let hash = ChangeHash([3; 32]);
        let sig = key.sign_change(doc, &hash);
        assert_eq!(verify_change(doc, &hash, &key.public(), &sig), Ok(()));
        assert_eq!(verify_change(doc, &hash, &other.public(), &sig), Err(SignatureError::Invalid));
        assert_eq!(verify_change(doc, &ChangeHash([4; 32]), &key.public(), &sig), Err(SignatureError::Invalid));
        assert_eq!(verify_change(doc, &hash, &key.public(), &sig[..63]), Err(SignatureError::Truncated));
        assert_eq!(verify_change(doc, &hash, &key.public()[..31], &sig), Err(SignatureError::BadKey));
        let mut flipped = sig;
        flipped[10] ^= 1;
        assert_eq!(verify_change(doc, &hash, &key.public(), &flipped), Err(SignatureError::Invalid));
        // A binding proof is not a change signature and vice versa.
        let proof = key.sign_binding("dev", "198802182010062056");
        assert!(verify_binding("dev", "198802182010062056", &key.public(), &proof).is_ok());
        assert!(verify_binding("dev", "199001012015011001", &key.public(), &proof).is_err());
        assert!(verify_change(doc, &hash, &key.public(), &proof).is_err());
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0, 171, 255]), "00abff");
        assert_eq!(unhex("00abFF"), Some(vec![0, 171, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
