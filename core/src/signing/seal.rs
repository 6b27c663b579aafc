//! A person's private key at rest: sealed under their PIN.
//!
//! The PIN is stretched with Argon2id (memory-hard, so a stolen store file
//! cannot be brute-forced on a GPU cheaply) into a 256-bit key that seals the
//! Ed25519 secret with ChaCha20-Poly1305. A wrong PIN fails the AEAD tag:
//! nothing about the PIN or the key leaks, and the store counts the failure
//! (see `Store::sign_in`: delays, then the key is wiped).
//!
//! ```
//! use prestasi_core::signing::PersonKey;
//! use prestasi_core::signing::seal::{Sealed, seal, unseal};
//!
//! let key = PersonKey::generate().unwrap();
//! let sealed = seal(&key, "246810").unwrap();
//! assert_eq!(unseal(&sealed, "246810").unwrap().public(), key.public());
//! assert!(unseal(&sealed, "135790").is_err());
//! ```

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use zeroize::Zeroizing;

use super::PersonKey;

/// Argon2id cost: 19 MiB, 2 passes, 1 lane (OWASP's minimum for Argon2id).
/// About 40 ms on a mid-range Android phone: once per sign-in.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;

/// A sealed private key as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub salt: [u8; 16],
    pub nonce: [u8; 12],
    /// 32 bytes of secret plus the 16-byte tag.
    pub ciphertext: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("wrong PIN")]
    WrongPin,
    #[error("sealing failed: {0}")]
    Crypto(String),
}

fn stretch(pin: &str, salt: &[u8; 16]) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let params = Params::new(MEMORY_KIB, PASSES, 1, Some(32)).map_err(|e| SealError::Crypto(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pin.as_bytes(), salt, out.as_mut())
        .map_err(|e| SealError::Crypto(e.to_string()))?;
    Ok(out)
}

/// Seal `key` under `pin` with a fresh salt and nonce.
pub fn seal(key: &PersonKey, pin: &str) -> Result<Sealed, SealError> {
    seal_bytes(key.secret().as_ref(), pin)
}

/// Seal any bytes under a passphrase (an enrollment code), as a key is
/// sealed under a PIN.
pub fn seal_bytes(data: &[u8], pass: &str) -> Result<Sealed, SealError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut salt).map_err(|e| SealError::Crypto(e.to_string()))?;
    getrandom::fill(&mut nonce).map_err(|e| SealError::Crypto(e.to_string()))?;
    let k = stretch(pass, &salt)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(k.as_ref()));
    let ciphertext = cipher.encrypt(Nonce::from_slice(&nonce), data).map_err(|e| SealError::Crypto(e.to_string()))?;
    Ok(Sealed { salt, nonce, ciphertext })
}

/// Open bytes sealed with [`seal_bytes`]; a wrong passphrase (or damaged
/// bytes) is `WrongPin`.
pub fn unseal_bytes(sealed: &Sealed, pass: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let k = stretch(pass, &sealed.salt)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(k.as_ref()));
    cipher
        .decrypt(Nonce::from_slice(&sealed.nonce), sealed.ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| SealError::WrongPin)
}

/// Open a sealed key; a wrong PIN (or a damaged record) is `WrongPin`.
pub fn unseal(sealed: &Sealed, pin: &str) -> Result<PersonKey, SealError> {
    let k = stretch(pin, &sealed.salt)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(k.as_ref()));
    let secret = Zeroizing::new(
        cipher
            .decrypt(Nonce::from_slice(&sealed.nonce), sealed.ciphertext.as_slice())
            .map_err(|_| SealError::WrongPin)?,
    );
    let secret: &[u8; 32] = secret.as_slice().try_into().map_err(|_| SealError::WrongPin)?;
    Ok(PersonKey::from_secret(secret))
}
