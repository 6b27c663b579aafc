//! The suite checked against itself: a toy backend that keeps chunks in
//! memory and pulls them by position passes the concurrency case when
//! positions are the commit order, and fails it when positions are handed
//! out at append time (a sequence), as a PostgreSQL `BIGSERIAL` would be.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use prestasi_core::doc::DocKind;

use super::*;

/// (position, tenant, document, kind, origin, bytes)
type Chunk = (u64, String, DocId, DocKind, String, Vec<u8>);

#[derive(Debug, Default)]
struct Toy {
    /// Positions given at commit (under the lock) rather than at append.
    at_commit: bool,
    next: AtomicU64,
    committed: Mutex<Vec<Chunk>>,
}

struct Tx<'a> {
    toy: &'a Toy,
    pending: Vec<Chunk>,
}

impl Lookup for Tx<'_> {
    fn load(&mut self, _: &str, _: DocId) -> Result<Option<StoredDoc>, StorageError> {
        unimplemented!()
    }
    fn employee(&mut self, _: &str, _: &str) -> Result<Option<EmployeeRow>, StorageError> {
        unimplemented!()
    }
    fn signer(&mut self, _: &[u8]) -> Result<Option<SignerRow>, StorageError> {
        unimplemented!()
    }
}

impl WriteTx for Tx<'_> {
    fn heads(&mut self, _: &str, _: DocId) -> Result<Option<String>, StorageError> {
        unimplemented!()
    }
    fn append(&mut self, w: &DocWrite) -> Result<(), StorageError> {
        let seq = if self.toy.at_commit { 0 } else { self.toy.next.fetch_add(1, Ordering::SeqCst) + 1 };
        self.pending.push((seq, w.tenant.clone(), w.id, w.kind, w.origin.clone(), w.chunk.clone()));
        Ok(())
    }
    fn reproject(&mut self, _: &str, _: DocId, _: DocKind, _: i64, _: &Projection) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn bind_signer(&mut self, _: &str, _: &SignerRow, _: i64) -> Result<bool, StorageError> {
        unimplemented!()
    }
}

impl AuthStore for Toy {
    fn create_login(&self, _: &NewLogin, _: i64) -> R<()> {
        unimplemented!()
    }
    fn refresh_login(&self, _: &str, _: &Rotation, _: i64) -> R<Refreshed> {
        unimplemented!()
    }
    fn revoke_login(&self, _: &str) -> R<bool> {
        unimplemented!()
    }
    fn revoke_user_logins(&self, _: &str, _: &str, _: i64) -> R<u64> {
        unimplemented!()
    }
    fn set_password(&self, _: &str, _: &str, _: &str, _: bool, _: i64) -> R<u64> {
        unimplemented!()
    }
    fn must_change_password(&self, _: &str, _: &str) -> R<bool> {
        unimplemented!()
    }
    fn log_login(&self, _: &LoginEvent) -> R<()> {
        unimplemented!()
    }
    fn login_events(&self, _: &str, _: Option<u64>, _: u32) -> R<Vec<LoginEvent>> {
        unimplemented!()
    }
    fn peek_event(&self, _: &str, _: i64) -> R<Option<(u32, i64)>> {
        unimplemented!()
    }
    fn forget_event(&self, _: &str) -> R<()> {
        unimplemented!()
    }
}

impl Storage for Toy {
    fn write(&self, f: &mut dyn FnMut(&mut dyn WriteTx) -> Result<(), StorageError>) -> Result<(), StorageError> {
        let mut tx = Tx { toy: self, pending: Vec::new() };
        f(&mut tx)?;
        let mut committed = self.committed.lock().unwrap();
        for mut c in tx.pending {
            if self.at_commit {
                c.0 = self.next.fetch_add(1, Ordering::SeqCst) + 1;
            }
            committed.push(c);
        }
        Ok(())
    }
    fn pull(&self, q: &PullQuery<'_>) -> Result<PullPage, StorageError> {
        let committed = self.committed.lock().unwrap();
        let mut rows: Vec<&Chunk> = committed.iter().filter(|c| c.1 == q.tenant && c.0 > q.cursor).collect();
        rows.sort_by_key(|c| c.0);
        let mut page = PullPage { docs: Vec::new(), cursor: rows.last().map_or(q.cursor, |c| c.0), more: false };
        let mut size = 0;
        for c in rows {
            if size > 0 && size + c.5.len() > q.max_bytes {
                page.more = true;
                break;
            }
            page.cursor = c.0;
            if c.4 != q.exclude_origin {
                size += c.5.len();
                page.docs.push(PulledBytes { id: c.2, kind: c.3, bytes: c.5.clone() });
            }
        }
        Ok(page)
    }
    fn create_tenant(&self, _: &str, _: &str) -> Result<(), StorageError> {
        Ok(())
    }

    fn read(&self, _: &mut dyn FnMut(&mut dyn Lookup) -> Result<(), StorageError>) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn fetch(&self, _: &str, _: &[DocId], _: &Scope) -> Result<Vec<PulledBytes>, StorageError> {
        unimplemented!()
    }
    fn tenant(&self, _: &str) -> Result<Option<TenantRow>, StorageError> {
        unimplemented!()
    }
    fn create_user(&self, _: &UserRow) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn user(&self, _: &str, _: &str) -> Result<Option<UserRow>, StorageError> {
        unimplemented!()
    }
    fn create_session(&self, _: &SessionRow) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn session(&self, _: &str, _: i64) -> Result<Option<SessionRow>, StorageError> {
        unimplemented!()
    }
    fn delete_session(&self, _: &str) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn create_enrollment(&self, _: &EnrollmentRow) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn redeem_enrollment(&self, _: &str, _: &DeviceRow, _: i64) -> Result<DeviceRow, StorageError> {
        unimplemented!()
    }
    fn device(&self, _: &str) -> Result<Option<DeviceRow>, StorageError> {
        unimplemented!()
    }
    fn devices(&self, _: &str) -> Result<Vec<DeviceRow>, StorageError> {
        unimplemented!()
    }
    fn revoke_device(&self, _: &str, _: &str, _: i64) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn record_wipe(&self, _: &str, _: &str, _: i64) -> Result<bool, StorageError> {
        unimplemented!()
    }
    fn log_device_event(&self, _: &DeviceEventRow) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn device_events(&self, _: &str) -> Result<Vec<DeviceEventRow>, StorageError> {
        unimplemented!()
    }
    fn unit_services(&self, _: &str, _: &str) -> Result<Vec<String>, StorageError> {
        unimplemented!()
    }
    fn set_unit_services(&self, _: &str, _: &str, _: &[String]) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn meta(&self, _: &str) -> Result<Option<String>, StorageError> {
        unimplemented!()
    }
    fn set_meta(&self, _: &str, _: &str) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn init_meta(&self, _: &str, _: &str) -> Result<String, StorageError> {
        unimplemented!()
    }
    fn count_event(&self, _: &str, _: i64, _: i64) -> Result<(u32, i64), StorageError> {
        unimplemented!()
    }
    fn appraisals(&self, _: &str, _: &AppraisalFilter) -> Result<Vec<AppraisalRow>, StorageError> {
        unimplemented!()
    }
    fn appraisal_targets(&self, _: &str, _: DocId) -> Result<Vec<TargetRow>, StorageError> {
        unimplemented!()
    }
    fn employees(&self, _: &str, _: Option<&str>) -> Result<Vec<EmployeeRow>, StorageError> {
        unimplemented!()
    }
    fn feedback_count(&self, _: &str, _: Option<&str>) -> Result<u64, StorageError> {
        unimplemented!()
    }
    fn conflicts(&self, _: &str) -> Result<Vec<ConflictRow>, StorageError> {
        unimplemented!()
    }
    fn tenants(&self) -> Result<Vec<TenantRow>, StorageError> {
        unimplemented!()
    }
    fn doc_ids(&self, _: &str, _: Option<DocId>, _: usize) -> Result<Vec<DocId>, StorageError> {
        unimplemented!()
    }
    fn document(&self, _: &str, _: DocId) -> Result<Option<StoredDoc>, StorageError> {
        unimplemented!()
    }
    fn create_person_code(&self, _: &PersonCodeRow) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn device_signers(&self, _: &str) -> Result<Vec<SignerRow>, StorageError> {
        unimplemented!()
    }
    fn insert_signer(&self, _: &SignerRow) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn signers(&self, _: &str, _: Option<&str>) -> Result<Vec<SignerRow>, StorageError> {
        unimplemented!()
    }
    fn revoke_signer(&self, _: &str, _: &[u8], _: &str, _: i64) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn signatures(&self, _: &str, _: DocId) -> Result<Vec<StoredSig>, StorageError> {
        unimplemented!()
    }
    fn ping(&self) -> Result<(), StorageError> {
        unimplemented!()
    }
    fn database_bytes(&self) -> Result<u64, StorageError> {
        unimplemented!()
    }
}

type R<T> = Result<T, StorageError>;

impl ReportStore for Toy {
    fn units(&self, _: &str) -> R<Vec<UnitRow>> {
        unimplemented!()
    }
    fn staff(&self, _: &str) -> R<Vec<StaffRow>> {
        unimplemented!()
    }
    fn appraisal_facts(&self, _: &str, _: &[String], _: Option<&str>) -> R<Vec<AppraisalFact>> {
        unimplemented!()
    }
    fn appraisal_fact(&self, _: &str, _: &str) -> R<Option<AppraisalFact>> {
        unimplemented!()
    }
    fn innovations(&self, _: &str, _: &str) -> R<Vec<InnovationRow>> {
        unimplemented!()
    }
    fn appraisal_ratings(&self, _: &str, _: &str) -> R<Vec<RatingsRow>> {
        unimplemented!()
    }
    fn predikats(&self, _: &str, _: &str) -> R<Vec<PredikatRow>> {
        unimplemented!()
    }
    fn periods(&self, _: &str) -> R<Vec<String>> {
        unimplemented!()
    }
    fn feedback_by_service(&self, _: &str, _: Window) -> R<Vec<FeedbackSums>> {
        unimplemented!()
    }
    fn feedback_by_officer(&self, _: &str, _: Window, _: Option<&[String]>) -> R<Vec<FeedbackSums>> {
        unimplemented!()
    }
    fn feedback_comments(&self, _: &str, _: Window, _: Option<&str>, _: Option<&str>, _: u32) -> R<Vec<CommentRow>> {
        unimplemented!()
    }
    fn waiting_by_month(&self, _: &str, _: Window, _: i32) -> R<Vec<WaitingRow>> {
        unimplemented!()
    }
    fn trainings(&self, _: &str, _: &str, _: &str) -> R<Vec<TrainingRow>> {
        unimplemented!()
    }
    fn training_minutes(&self, _: &str, _: &str, _: &str) -> R<Vec<(String, u64)>> {
        unimplemented!()
    }
    fn mentoring(&self, _: &str) -> R<Vec<MentoringRow>> {
        unimplemented!()
    }
    fn settings(&self, _: &str) -> R<Option<String>> {
        unimplemented!()
    }
    fn set_settings(&self, _: &str, _: &str) -> R<()> {
        unimplemented!()
    }
    fn unit_periods(&self, _: &str, _: &str) -> R<Vec<UnitPeriodRow>> {
        unimplemented!()
    }
    fn set_unit_period(&self, _: &str, _: &UnitPeriodRow) -> R<()> {
        unimplemented!()
    }
    fn potentials(&self, _: &str) -> R<Vec<PotentialRow>> {
        unimplemented!()
    }
    fn set_potential(&self, _: &str, _: &PotentialRow) -> R<()> {
        unimplemented!()
    }
    fn sanctions(&self, _: &str) -> R<Vec<SanctionRow>> {
        unimplemented!()
    }
    fn add_sanction(&self, _: &str, _: &SanctionRow) -> R<()> {
        unimplemented!()
    }
    fn programmes(&self, _: &str) -> R<Vec<ProgrammeRow>> {
        unimplemented!()
    }
    fn create_programme(&self, _: &str, _: &ProgrammeRow) -> R<()> {
        unimplemented!()
    }
    fn set_seats(&self, _: &str, _: &str, _: &[SeatRow]) -> R<()> {
        unimplemented!()
    }
    fn seats(&self, _: &str, _: &str) -> R<Vec<SeatRow>> {
        unimplemented!()
    }
}

#[test]
fn positions_in_commit_order_pass_the_concurrency_case() {
    let toy = Toy { at_commit: true, ..Toy::default() };
    super::pull::concurrent_writers_never_make_a_reader_skip_or_repeat(&toy);
}

#[test]
fn positions_handed_out_before_commit_fail_the_concurrency_case() {
    let toy = Toy { at_commit: false, ..Toy::default() };
    let r = catch_unwind(AssertUnwindSafe(|| super::pull::concurrent_writers_never_make_a_reader_skip_or_repeat(&toy)));
    let message = match &r {
        Ok(()) => panic!("a cursor that is not the commit order passed the concurrency case"),
        Err(e) => e.downcast_ref::<String>().cloned().unwrap_or_default(),
    };
    assert!(message.contains("skipped"), "it fails because the reader skipped changes: {message}");
}

impl UploadStore for Toy {
    fn open_upload(&self, _: &str, _: &str, _: u64, _: i64) -> R<UploadRow> {
        unimplemented!()
    }
    fn upload(&self, _: &str, _: &str) -> R<Option<UploadRow>> {
        unimplemented!()
    }
    fn uploads_of(&self, _: &str) -> R<u64> {
        unimplemented!()
    }
    fn append_upload(&self, _: &str, _: &str, _: u64, _: &[u8], _: i64) -> R<Option<UploadRow>> {
        unimplemented!()
    }
    fn upload_body(&self, _: &str, _: &str) -> R<Vec<u8>> {
        unimplemented!()
    }
    fn finish_upload(&self, _: &str, _: &str, _: &[u8], _: i64) -> R<()> {
        unimplemented!()
    }
    fn delete_upload(&self, _: &str, _: &str) -> R<()> {
        unimplemented!()
    }
    fn forget_answered_uploads(&self, _: &str) -> R<u64> {
        unimplemented!()
    }
    fn expire_uploads(&self, _: i64) -> R<u64> {
        unimplemented!()
    }
}
