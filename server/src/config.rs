//! Limits the server enforces on every sync request, and on the public
//! citizen feedback form.

/// Sizes are of the decompressed body unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Compressed request body, as received.
    pub max_body_bytes: usize,
    /// Request body after decompression.
    pub max_decompressed_bytes: usize,
    pub max_docs_per_request: usize,
    /// Ids in one request's `fetch`. A device fetches only the documents
    /// it found missing dependencies for, so the push limit is ample.
    pub max_fetch_ids: usize,
    /// One pushed document's changes.
    pub max_doc_bytes: usize,
    /// Pulled changes per response before `more` is set.
    pub max_pull_bytes: usize,
    /// Blocking jobs at once (see `AppState::blocking`).
    pub blocking_jobs: usize,
    /// Blocking jobs at once of anonymous work: login, enrollment, the
    /// citizen form (see `AppState::blocking_public`). A pool of its own,
    /// so a flood of it never stalls tablet sync or HR's reports.
    pub public_jobs: usize,
    /// Sync requests whose bodies may be read and held at once; others
    /// wait, unread, before the body is taken (bounds memory under a rush).
    pub admitted_syncs: usize,
    /// A sync request whose body sends nothing for this long is answered
    /// 408, freeing the device's one sync slot (a connection that died
    /// mid-upload must not lock the device out).
    pub sync_body_idle_secs: u64,
    /// Citizen feedback form posts per client address per
    /// `feedback_client_window_secs` (every post counts, stored or not).
    pub feedback_per_client: u32,
    pub feedback_client_window_secs: u64,
    /// Citizen feedback form page views per client address per
    /// `feedback_client_window_secs` (counted in each server process).
    pub form_pages_per_client: u32,
    /// Citizen feedback form posts per unit per `feedback_unit_window_secs`
    /// (only posts with a valid form token count).
    pub feedback_per_unit: u32,
    pub feedback_unit_window_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 << 20,
            max_decompressed_bytes: 64 << 20,
            max_docs_per_request: 5000,
            max_fetch_ids: 5000,
            max_doc_bytes: 1 << 20,
            max_pull_bytes: 1 << 20,
            blocking_jobs: 4,
            public_jobs: 2,
            admitted_syncs: 64,
            sync_body_idle_secs: 30,
            feedback_per_client: 5,
            feedback_client_window_secs: 10 * 60,
            form_pages_per_client: 60,
            feedback_per_unit: 120,
            feedback_unit_window_secs: 60,
        }
    }
}
