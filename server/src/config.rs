//! Limits the server enforces on every sync request.

/// Sizes are of the decompressed body unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Compressed request body, as received.
    pub max_body_bytes: usize,
    /// Request body after decompression.
    pub max_decompressed_bytes: usize,
    pub max_docs_per_request: usize,
    /// One pushed document's changes.
    pub max_doc_bytes: usize,
    /// Pulled changes per response before `more` is set.
    pub max_pull_bytes: usize,
    /// Blocking jobs at once (see `AppState::blocking`).
    pub blocking_jobs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 << 20,
            max_decompressed_bytes: 64 << 20,
            max_docs_per_request: 5000,
            max_doc_bytes: 1 << 20,
            max_pull_bytes: 1 << 20,
            blocking_jobs: 4,
        }
    }
}
