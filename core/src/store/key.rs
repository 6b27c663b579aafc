//! Encryption at rest: the store file is a SQLCipher 4 database (AES-256
//! pages, each with an HMAC-SHA512), keyed with 32 bytes the app supplies.
//!
//! The key is applied raw (`PRAGMA key = "x'…'"`, no passphrase derivation:
//! the bytes are random already, so opening costs no KDF), as the first
//! statement on the connection, then checked by reading `sqlite_master`. A
//! wrong key is [`StoreError::WrongKey`] and nothing is written to the file.
//! A plaintext store from before encryption is [`StoreError::Unencrypted`];
//! [`Store::encrypt_existing`] converts it in place.
//!
//! The core never writes the key anywhere. Where it comes from is the app's
//! business: on Android, 32 random bytes wrapped by an AES key that lives in
//! the Android Keystore (docs/ANDROID.md, "The store key").

use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OptionalExtension};
use zeroize::Zeroizing;

use super::{Store, StoreError, schema};

/// Bytes in a [`StoreKey`].
pub const STORE_KEY_LEN: usize = 32;

/// The first 16 bytes of every plaintext SQLite file; an encrypted file
/// starts with its random salt instead.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The 32-byte key of an encrypted store. Zeroed when dropped; its `Debug`
/// shows nothing of it.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; STORE_KEY_LEN]>);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(…)")
    }
}

impl StoreKey {
    pub fn from_bytes(bytes: [u8; STORE_KEY_LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// From a byte slice (e.g. what the Kotlin side passes); anything but 32
    /// bytes is [`StoreError::BadKey`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, StoreError> {
        let arr: [u8; STORE_KEY_LEN] = bytes.try_into().map_err(|_| StoreError::BadKey { len: bytes.len() })?;
        Ok(Self::from_bytes(arr))
    }

    /// 32 bytes from the operating system's random source (for tests, tools,
    /// and apps that keep the key themselves).
    pub fn generate() -> Result<Self, StoreError> {
        let mut b = Zeroizing::new([0u8; STORE_KEY_LEN]);
        getrandom::fill(b.as_mut()).map_err(|e| StoreError::Signing(format!("no randomness: {e}")))?;
        Ok(Self(b))
    }

    pub fn as_bytes(&self) -> &[u8; STORE_KEY_LEN] {
        &self.0
    }

    /// The SQLCipher raw-key literal, `x'<64 hex digits>'`.
    fn literal(&self) -> Zeroizing<String> {
        use std::fmt::Write;
        // Reserved up front: no reallocation leaves a copy of the key behind.
        let mut s = Zeroizing::new(String::with_capacity(3 + 2 * STORE_KEY_LEN));
        s.push_str("x'");
        for b in self.0.iter() {
            let _ = write!(s, "{b:02x}");
        }
        s.push('\'');
        s
    }

    /// `PRAGMA key` on `conn`: must be the first statement it runs.
    pub(super) fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        let sql = Zeroizing::new(format!("PRAGMA key = \"{}\";", self.literal().as_str()));
        conn.execute_batch(&sql)
    }
}

/// Whether the file at `path` is a plaintext SQLite database (`false` when
/// missing, empty or encrypted).
fn is_plaintext(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == SQLITE_HEADER
}

/// A plaintext file at `path`: a Prestasi store from before encryption
/// ([`StoreError::Unencrypted`]) or another application's database.
fn plaintext_error(path: &Path) -> StoreError {
    match plaintext_application(path) {
        Ok(true) => StoreError::Unencrypted { path: path.to_owned() },
        Ok(false) => {
            StoreError::Corrupt { path: path.to_owned(), detail: "a SQLite database of another application".into() }
        }
        Err(e) => e,
    }
}

/// Whether a plaintext SQLite file is (or may become) a Prestasi store: its
/// application id is ours, or it holds no table yet.
fn plaintext_application(path: &Path) -> Result<bool, StoreError> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok(app_id == schema::APPLICATION_ID || tables == 0)
}

/// Open the encrypted store at `path` (created if missing) and check `key`
/// opens it. Nothing is written before the key is known to be right.
pub(super) fn open_keyed(path: &Path, key: &StoreKey) -> Result<Connection, StoreError> {
    if is_plaintext(path) {
        return Err(plaintext_error(path));
    }
    let conn = Connection::open(path).map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
    key.apply(&conn).map_err(|e| schema::classify(e, path))?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(conn),
        // An encrypted file looks like random bytes to any other key: a
        // wrong key and a damaged first page cannot be told apart.
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(StoreError::WrongKey { path: path.to_owned() })
        }
        Err(e) => Err(schema::classify(e, path)),
    }
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The store's file and the files SQLite keeps beside it.
pub(super) fn files(path: &Path) -> [PathBuf; 4] {
    [path.to_owned(), sidecar(path, "-wal"), sidecar(path, "-shm"), sidecar(path, "-journal")]
}

fn remove_if_there(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::File(format!("{}: {e}", path.display()))),
        _ => Ok(()),
    }
}

pub(super) fn remove_files(path: &Path) -> Result<(), StoreError> {
    for f in files(path) {
        remove_if_there(&f)?;
    }
    Ok(())
}

impl Store {
    /// Encrypt a store written before encryption (a plaintext SQLite file)
    /// under `key`, in place. The data is copied into a new encrypted file
    /// beside it (`sqlcipher_export`), the plaintext WAL is checkpointed and
    /// removed, and the new file replaces the old one by an atomic rename: a
    /// crash leaves either the old plaintext store or the encrypted one,
    /// never half of one. Returns `false` when there was nothing to do (no
    /// file, or already encrypted).
    ///
    /// The old pages may survive on the flash until the file system reuses
    /// them: encrypting in place protects from now on, not the past.
    pub fn encrypt_existing(path: impl AsRef<Path>, key: &StoreKey) -> Result<bool, StoreError> {
        let path = path.as_ref();
        if !is_plaintext(path) {
            return Ok(false);
        }
        if !plaintext_application(path)? {
            return Err(plaintext_error(path));
        }
        let tmp = sidecar(path, ".encrypting");
        remove_files(&tmp)?;
        let open = |source| StoreError::Open { path: path.to_owned(), source };
        let conn = Connection::open(path).map_err(open)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(open)?;
        // Everything in the WAL into the file, and the WAL emptied.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).optional()?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let tmp_name = tmp.to_str().ok_or_else(|| StoreError::File(format!("{}: not UTF-8", tmp.display())))?;
        conn.execute("ATTACH DATABASE ?1 AS encrypted KEY ?2", rusqlite::params![tmp_name, key.literal().as_str()])?;
        conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        conn.pragma_update(Some("encrypted"), "user_version", version)?;
        conn.pragma_update(Some("encrypted"), "application_id", app_id)?;
        conn.execute_batch("DETACH DATABASE encrypted")?;
        // Leaving WAL mode removes the plaintext WAL before the rename, so
        // no stale WAL can ever be read against the encrypted file.
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
        let file = |p: &Path, e: std::io::Error| StoreError::File(format!("{}: {e}", p.display()));
        std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| file(&tmp, e))?;
        remove_if_there(&sidecar(path, "-wal"))?;
        remove_if_there(&sidecar(path, "-shm"))?;
        std::fs::rename(&tmp, path).map_err(|e| file(path, e))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename is durable once the directory is.
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        tracing::info!(path = %path.display(), "plaintext store encrypted");
        Ok(true)
    }
}
