use crate::store::StoreError;

/// Why a sync did not complete. Nothing stored on the device is lost by a
/// failed sync: documents stay marked for upload until acknowledged.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached (no network, DNS, timeout).
    #[error("offline: {0}")]
    Offline(String),
    #[error("this device is not enrolled yet")]
    NotEnrolled,
    /// The device was revoked by an administrator; `message` says why.
    /// `wipe` is what the device then did with its data (see
    /// [`super::SyncClient::wipe_after_revocation`]); `None` if the wipe
    /// could not run (it is tried again at the next sync).
    #[error("this device was revoked: {message}")]
    Revoked { message: String, wipe: Option<super::Wipe> },
    #[error("not authorised: {message}")]
    Unauthorized { message: String },
    /// The server answered with an error status.
    #[error("server error {status} ({code}): {message}")]
    Server { status: u16, code: String, message: String },
    /// The server's answer could not be understood.
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bundle file was refused (see [`super::bundle`]); nothing of it was recorded.
    #[error(transparent)]
    Bundle(#[from] super::bundle::BundleError),
    /// A bundle file could not be read or written.
    #[error("file: {0}")]
    File(String),
    /// The server CA given to [`super::SyncClient::set_server_ca`] holds no
    /// usable PEM certificate; nothing was changed.
    #[error("server CA: {0}")]
    ServerCa(String),
}

impl SyncError {
    /// Worth trying again later with backoff.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Offline(_) => true,
            Self::Server { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            _ => false,
        }
    }

    /// In Bahasa Indonesia, for the app's status line.
    pub fn user_message(&self) -> String {
        match self {
            Self::Offline(_) => {
                "Tidak ada koneksi ke server. Data tersimpan di perangkat dan akan dikirim nanti.".into()
            }
            Self::NotEnrolled => "Perangkat belum didaftarkan. Masukkan kode pendaftaran dari BKPSDM.".into(),
            Self::Revoked { message, wipe } => {
                // The server's message already says "revoked": keep its reason only.
                let reason = message.strip_prefix("Perangkat ini telah dicabut: ").unwrap_or(message);
                match wipe {
                    None => format!("Perangkat ini telah dicabut oleh admin: {reason}"),
                    Some(w) if w.documents > 0 => format!(
                        "Perangkat ini telah dicabut oleh admin: {reason}. Data di perangkat telah dihapus; {} \
                         dokumen yang belum terkirim disimpan dalam berkas paket untuk BKPSDM.",
                        w.documents
                    ),
                    Some(_) => {
                        format!("Perangkat ini telah dicabut oleh admin: {reason}. Data di perangkat telah dihapus.")
                    }
                }
            }
            Self::Unauthorized { .. } => "Perangkat tidak dikenali server. Hubungi BKPSDM.".into(),
            Self::Server { message, .. } => format!("Server menolak sinkronisasi: {message}"),
            Self::Protocol(_) => "Jawaban server tidak dapat dibaca. Perbarui aplikasi.".into(),
            Self::Store(e) => e.user_message(),
            Self::Bundle(e) => e.user_message(),
            Self::File(e) => format!("Berkas tidak dapat dibaca atau ditulis: {e}"),
            Self::ServerCa(_) => {
                "Sertifikat CA server tidak dapat dibaca. Periksa berkas sertifikat dari BKPSDM.".into()
            }
        }
    }
}
