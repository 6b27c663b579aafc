//! Bundle files: a sync round trip carried on an SD card or a USB stick.
//!
//! A tablet with no network at all writes what it would have pushed into a
//! file ([`BundleKind::Push`]: exactly the [`SyncRequest`] a sync would
//! send). HR imports it on the server, which runs it through exactly the
//! checks of a sync — signatures, scope, validation — and answers with a
//! receipt ([`BundleKind::Receipt`]: the [`SyncResponse`], with everything
//! that changed in the tablet's scope). The tablet imports the receipt as if
//! the answer had arrived over the network. HR can also write a scope bundle
//! ([`BundleKind::Scope`]) for a tablet that has not synced yet.
//!
//! File layout, format 1 (docs/PROTOCOL.md, "Bundle files"):
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `PRSTBNDL` |
//! | 1 | format version, `1` |
//! | 4 | length `n` of the envelope, big-endian |
//! | n | the [`Envelope`], CBOR; its `body` is the zstd-compressed CBOR message |
//! | 32 | HMAC-SHA256 of every byte before it |
//!
//! The MAC key is the device's secret as the server keeps it (its SHA-256,
//! lowercase hex, as ASCII bytes): both ends hold it, nobody else does. It
//! proves which enrolled device (or which server, for a receipt) wrote the
//! file; what the changes say is proven, as in a sync, by the person
//! signatures inside.
//!
//! ```
//! use prestasi_core::sync::bundle::{self, BundleKind, Envelope};
//! let key = bundle::device_key("the-device-secret");
//! let env = Envelope::new(BundleKind::Push, "tenant", "device", b"body".to_vec());
//! let file = bundle::seal(&env, &key);
//! let back = bundle::open(&file).unwrap().verify(&key).unwrap();
//! assert_eq!(back.message().unwrap(), b"body");
//! // One changed byte and the file is refused.
//! let mut bad = file.clone();
//! bad[20] ^= 1;
//! assert!(bundle::open(&bad).and_then(|u| u.verify(&key)).is_err());
//! ```

use std::io::Read;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use sha2::{Digest, Sha256};

pub const MAGIC: &[u8; 8] = b"PRSTBNDL";
pub const FORMAT: u8 = 1;
const MAC_LEN: usize = 32;
/// A bundle file is refused above this size before anything is parsed.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The decompressed body is refused above this size.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// What a bundle carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// Tablet → HR: a [`SyncRequest`](super::protocol::SyncRequest).
    Push,
    /// HR → tablet, answering a push: a [`SyncResponse`](super::protocol::SyncResponse).
    Receipt,
    /// HR → tablet, unasked: a [`SyncResponse`](super::protocol::SyncResponse)
    /// with the tablet's scope from its cursor, no results.
    Scope,
    /// HR → a tablet that was never online: its enrollment and its scope
    /// ([`EnrollmentPayload`]), sealed under the enrollment code.
    Enrollment,
}

/// What an enrollment bundle carries, sealed under the enrollment code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollmentPayload {
    /// As `POST /v1/enroll` answers, for a device id the server chose.
    pub enroll: super::protocol::EnrollResponse,
    /// Where the tablet syncs once it has a network.
    pub server_url: String,
    /// The tablet's scope from cursor 0.
    pub scope: super::protocol::SyncResponse,
}

/// The sealed payload as the envelope's body carries it.
#[derive(Debug, Serialize, Deserialize)]
struct SealedBody {
    salt: ByteBuf,
    nonce: ByteBuf,
    ciphertext: ByteBuf,
}

/// An enrollment bundle's MAC checks only that the file is whole (who may
/// open it is decided by the code, through the AEAD of its payload): its
/// key is public.
const ENROLLMENT_MAC_KEY: &[u8] = b"prestasi enrollment bundle, format 1";

/// Codes are compared without dashes, spaces or case, as the server does.
pub fn normalise_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// An enrollment bundle for `payload`, sealed under `code` (Argon2id,
/// ChaCha20-Poly1305): the file is useless without the code HR gives the
/// supervisor separately.
pub fn seal_enrollment(payload: &EnrollmentPayload, code: &str) -> Result<Vec<u8>, BundleError> {
    let plain = zeroize::Zeroizing::new(super::protocol::encode(payload));
    let sealed = crate::signing::seal::seal_bytes(&plain, &normalise_code(code))
        .map_err(|e| BundleError::Body(e.to_string()))?;
    let body = SealedBody {
        salt: ByteBuf::from(sealed.salt.to_vec()),
        nonce: ByteBuf::from(sealed.nonce.to_vec()),
        ciphertext: ByteBuf::from(sealed.ciphertext),
    };
    let env = Envelope::new(
        BundleKind::Enrollment,
        &payload.enroll.tenant_id,
        &payload.enroll.device_id,
        super::protocol::encode(&body),
    );
    Ok(seal(&env, ENROLLMENT_MAC_KEY))
}

/// Open an enrollment bundle with the enrollment `code`.
pub fn open_enrollment(file: &[u8], code: &str) -> Result<EnrollmentPayload, BundleError> {
    let env = open(file)?.verify(ENROLLMENT_MAC_KEY)?;
    if env.kind != BundleKind::Enrollment {
        return Err(BundleError::WrongKind { expected: BundleKind::Enrollment, found: env.kind });
    }
    let body: SealedBody = super::protocol::decode(&env.message()?).map_err(|e| BundleError::Body(e.to_string()))?;
    let sealed = crate::signing::seal::Sealed {
        salt: body.salt.as_slice().try_into().map_err(|_| BundleError::Body("salt".into()))?,
        nonce: body.nonce.as_slice().try_into().map_err(|_| BundleError::Body("nonce".into()))?,
        ciphertext: body.ciphertext.into_vec(),
    };
    let plain =
        crate::signing::seal::unseal_bytes(&sealed, &normalise_code(code)).map_err(|_| BundleError::WrongCode)?;
    let payload: EnrollmentPayload = super::protocol::decode(&plain).map_err(|e| BundleError::Body(e.to_string()))?;
    if payload.enroll.device_id != env.device_id || payload.enroll.tenant_id != env.tenant_id {
        return Err(BundleError::Tampered);
    }
    Ok(payload)
}

/// The authenticated content of a bundle file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub kind: BundleKind,
    /// Random, unique per bundle.
    pub id: String,
    /// The push bundle a receipt answers.
    #[serde(default)]
    pub in_reply_to: Option<String>,
    pub tenant_id: String,
    pub device_id: String,
    /// RFC 3339, the writer's clock.
    pub created: String,
    /// zstd of the CBOR message.
    pub body: ByteBuf,
}

impl Envelope {
    /// An envelope around an already encoded body (compressed here).
    pub fn new(kind: BundleKind, tenant_id: &str, device_id: &str, message: Vec<u8>) -> Self {
        Self {
            kind,
            id: uuid::Uuid::new_v4().to_string(),
            in_reply_to: None,
            tenant_id: tenant_id.into(),
            device_id: device_id.into(),
            created: crate::model::time::format_timestamp(&chrono::Utc::now()),
            body: ByteBuf::from(zstd::encode_all(message.as_slice(), 3).unwrap_or_default()),
        }
    }

    /// The decompressed message, refused past [`MAX_BODY_BYTES`].
    pub fn message(&self) -> Result<Vec<u8>, BundleError> {
        let mut out = Vec::new();
        zstd::stream::read::Decoder::new(self.body.as_slice())
            .and_then(|d| d.take(MAX_BODY_BYTES as u64 + 1).read_to_end(&mut out))
            .map_err(|e| BundleError::Body(format!("zstd: {e}")))?;
        if out.len() > MAX_BODY_BYTES {
            return Err(BundleError::TooLarge);
        }
        Ok(out)
    }
}

/// Why a bundle file was refused. Nothing of a refused file is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a Prestasi bundle file")]
    NotABundle,
    #[error("bundle format {0} is not supported")]
    UnsupportedFormat(u8),
    #[error("bundle file is truncated")]
    Truncated,
    #[error("bundle file is too large")]
    TooLarge,
    /// The MAC does not match: a changed byte, or another device's key.
    #[error("bundle file was altered or is not from this device")]
    Tampered,
    #[error("bundle is for device {found}, not {expected}")]
    WrongDevice { expected: String, found: String },
    #[error("bundle is for tenant {found}, not {expected}")]
    WrongTenant { expected: String, found: String },
    #[error("bundle is a {found:?}, expected a {expected:?}")]
    WrongKind { expected: BundleKind, found: BundleKind },
    /// The receipt answers a bundle this tablet did not write (or wrote
    /// before it was reset).
    #[error("receipt answers unknown bundle {0}")]
    UnknownBundle(String),
    #[error("bundle body unreadable: {0}")]
    Body(String),
    /// The enrollment code does not open this enrollment bundle.
    #[error("the enrollment code does not open this bundle")]
    WrongCode,
    /// An enrollment bundle for a tablet that already holds data.
    #[error("this tablet is enrolled or holds data already")]
    NotFresh,
}

impl BundleError {
    /// Stable code for logs, APIs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotABundle => "not_a_bundle",
            Self::UnsupportedFormat(_) => "unsupported_bundle_format",
            Self::Truncated => "bundle_truncated",
            Self::TooLarge => "bundle_too_large",
            Self::Tampered => "bundle_tampered",
            Self::WrongDevice { .. } => "bundle_wrong_device",
            Self::WrongTenant { .. } => "bundle_wrong_tenant",
            Self::WrongKind { .. } => "bundle_wrong_kind",
            Self::UnknownBundle(_) => "bundle_unknown",
            Self::Body(_) => "bundle_malformed",
            Self::WrongCode => "bundle_wrong_code",
            Self::NotFresh => "bundle_not_fresh",
        }
    }

    /// In Bahasa Indonesia, for the people handling the file.
    pub fn user_message(&self) -> String {
        match self {
            Self::NotABundle => "Berkas ini bukan berkas paket Prestasi.".into(),
            Self::UnsupportedFormat(v) => {
                format!("Format paket {v} tidak dikenal. Perbarui aplikasi atau server.")
            }
            Self::Truncated => "Berkas paket terpotong. Salin ulang berkas dari perangkat asalnya.".into(),
            Self::TooLarge => "Berkas paket terlalu besar.".into(),
            Self::Tampered => {
                "Berkas paket telah diubah atau bukan dari perangkat ini. Tidak ada data yang disimpan.".into()
            }
            Self::WrongDevice { found, .. } => format!("Berkas paket ini untuk perangkat lain ({found})."),
            Self::WrongTenant { found, .. } => format!("Berkas paket ini untuk instansi lain ({found})."),
            Self::WrongKind { .. } => "Jenis berkas paket salah untuk tindakan ini.".into(),
            Self::UnknownBundle(_) => "Tanda terima ini menjawab paket yang tidak dibuat oleh perangkat ini.".into(),
            Self::Body(_) => "Isi berkas paket rusak.".into(),
            Self::WrongCode => "Kode pendaftaran tidak cocok dengan berkas paket ini. Periksa kodenya.".into(),
            Self::NotFresh => {
                "Tablet ini sudah terdaftar atau sudah berisi data; paket pendaftaran hanya untuk tablet baru.".into()
            }
        }
    }
}

/// The MAC key of a device: SHA-256 of its secret, lowercase hex, as the
/// server stores it.
pub fn device_key(secret: &str) -> Vec<u8> {
    key_from_hash(&hex(&Sha256::digest(secret.as_bytes())))
}

/// The MAC key from the stored secret hash (the server's side).
pub fn key_from_hash(secret_hash_hex: &str) -> Vec<u8> {
    secret_hash_hex.as_bytes().to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn mac(key: &[u8], data: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    m.update(data);
    m
}

/// Write `env` as a bundle file, authenticated with `key`.
pub fn seal(env: &Envelope, key: &[u8]) -> Vec<u8> {
    let cbor = super::protocol::encode(env);
    let mut out = Vec::with_capacity(cbor.len() + 45);
    out.extend_from_slice(MAGIC);
    out.push(FORMAT);
    out.extend_from_slice(&u32::try_from(cbor.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(&cbor);
    let tag = mac(key, &out).finalize().into_bytes();
    out.extend_from_slice(&tag);
    out
}

/// A parsed bundle whose MAC is not checked yet: the reader learns which
/// device it claims to be from, to find that device's key.
#[derive(Debug)]
pub struct Unverified<'a> {
    pub envelope: Envelope,
    signed: &'a [u8],
    tag: &'a [u8],
}

/// Parse a bundle file's framing and envelope.
pub fn open(file: &[u8]) -> Result<Unverified<'_>, BundleError> {
    if file.len() > MAX_FILE_BYTES {
        return Err(BundleError::TooLarge);
    }
    let Some(magic) = file.get(..MAGIC.len()) else {
        return Err(if MAGIC.starts_with(file) { BundleError::Truncated } else { BundleError::NotABundle });
    };
    if magic != MAGIC {
        return Err(BundleError::NotABundle);
    }
    let format = *file.get(MAGIC.len()).ok_or(BundleError::Truncated)?;
    if format != FORMAT {
        return Err(BundleError::UnsupportedFormat(format));
    }
    let len_at = MAGIC.len() + 1;
    let len_bytes: [u8; 4] =
        file.get(len_at..len_at + 4).and_then(|b| b.try_into().ok()).ok_or(BundleError::Truncated)?;
    let len = u32::from_be_bytes(len_bytes) as usize;
    let body_at = len_at + 4;
    let end = body_at.checked_add(len).ok_or(BundleError::Truncated)?;
    let cbor = file.get(body_at..end).ok_or(BundleError::Truncated)?;
    let tag = file.get(end..).ok_or(BundleError::Truncated)?;
    if tag.len() < MAC_LEN {
        return Err(BundleError::Truncated);
    }
    if tag.len() > MAC_LEN {
        return Err(BundleError::Tampered);
    }
    let envelope: Envelope = super::protocol::decode(cbor).map_err(|_| BundleError::Tampered)?;
    Ok(Unverified { envelope, signed: file.get(..end).unwrap_or_default(), tag })
}

impl Unverified<'_> {
    /// Check the MAC with the claimed device's key.
    pub fn verify(self, key: &[u8]) -> Result<Envelope, BundleError> {
        mac(key, self.signed).verify_slice(self.tag).map_err(|_| BundleError::Tampered)?;
        Ok(self.envelope)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sealed() -> (Vec<u8>, Vec<u8>) {
        let key = device_key("s3cret");
        let env = Envelope::new(BundleKind::Push, "t", "d", vec![7; 1000]);
        (seal(&env, &key), key)
    }

    #[test]
    fn round_trip() {
        let (file, key) = sealed();
        let env = open(&file).unwrap().verify(&key).unwrap();
        assert_eq!(env.kind, BundleKind::Push);
        assert_eq!(env.message().unwrap(), vec![7; 1000]);
    }

    #[test]
    fn every_truncation_is_refused() {
        let (file, key) = sealed();
        for n in 0..file.len() {
            let e = open(&file[..n]).and_then(|u| u.verify(&key)).unwrap_err();
            assert!(matches!(e, BundleError::Truncated | BundleError::Tampered), "{n}: {e:?}");
        }
    }

    #[test]
    fn every_flipped_byte_is_refused() {
        let (file, key) = sealed();
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x20;
            assert!(open(&bad).and_then(|u| u.verify(&key)).is_err(), "byte {i}");
        }
    }

    #[test]
    fn another_key_and_other_files_are_refused() {
        let (file, _) = sealed();
        assert_eq!(open(&file).unwrap().verify(&device_key("other")).unwrap_err(), BundleError::Tampered);
        assert_eq!(open(b"PK\x03\x04 a zip file").unwrap_err(), BundleError::NotABundle);
        let mut v2 = file.clone();
        v2[8] = 2;
        assert_eq!(open(&v2).unwrap_err(), BundleError::UnsupportedFormat(2));
        let mut longer = file;
        longer.push(0);
        assert_eq!(open(&longer).and_then(|u| u.verify(&device_key("s3cret"))).unwrap_err(), BundleError::Tampered);
    }
}
