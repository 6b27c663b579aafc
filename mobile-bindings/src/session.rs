//! The one entry-point object: a device's session over its store.

use std::sync::Arc;
use std::time::Duration;

use prestasi_core::ValidationError;
use prestasi_core::model::DocId;
use prestasi_core::model::time::parse_date;
use prestasi_core::session::{self, Session, SessionError};
use prestasi_core::sync::{SyncEvent, SyncObserver};

use crate::MobileError;
use crate::types::*;

/// Observes the background sync loop (implement it in Kotlin or Swift).
#[uniffi::export(callback_interface)]
pub trait SyncStatusObserver: Send + Sync {
    fn on_event(&self, event: SyncStatusEvent);
}

struct Forward(Box<dyn SyncStatusObserver>);

impl SyncObserver for Forward {
    fn on_event(&self, event: SyncEvent) {
        self.0.on_event(event.into());
    }
}

fn id(s: &str) -> Result<DocId, MobileError> {
    Ok(s.parse::<DocId>()?)
}

/// A device's store and sync client. Calls block: call them off the main
/// thread.
#[derive(Debug, uniffi::Object)]
pub struct PrestasiSession {
    inner: Arc<Session>,
}

#[uniffi::export]
impl PrestasiSession {
    /// Open (or create) the store at `path`, encrypted under `key`: 32
    /// random bytes the app keeps wrapped by an Android Keystore key
    /// (docs/ANDROID.md). A wrong key raises `WrongKey` and leaves the file
    /// as it was; a store written before encryption is encrypted in place.
    #[uniffi::constructor]
    pub fn open(path: String, key: Vec<u8>) -> Result<Arc<Self>, MobileError> {
        let key = prestasi_core::store::StoreKey::from_slice(&key).map_err(SessionError::from)?;
        Ok(Arc::new(Self { inner: Arc::new(Session::open(&path, &key)?) }))
    }

    pub fn device_id(&self) -> String {
        self.inner.store().device_id().to_string()
    }

    /// Exchange a one-time code from BKPSDM for this device's credentials.
    pub fn enroll(&self, server_url: String, code: String) -> Result<Enrollment, MobileError> {
        Ok(self.inner.enroll(&server_url, &code)?.into())
    }

    /// Trust only this CA certificate (PEM) for the server, for a server
    /// whose certificate no public CA signed; `None` goes back to the
    /// system's roots. Kept with the enrollment; call it before `enroll`.
    /// A PEM without a certificate raises `Invalid` (field `server_ca`).
    pub fn set_server_ca(&self, pem: Option<String>) -> Result<(), MobileError> {
        Ok(self.inner.set_server_ca(pem.as_deref())?)
    }

    /// A tablet that has never been online: enroll from BKPSDM's enrollment
    /// bundle file and the enrollment code that opens it.
    pub fn enroll_from_bundle(&self, path: String, code: String) -> Result<Enrollment, MobileError> {
        Ok(self.inner.enroll_from_bundle(&path, &code)?.into())
    }

    pub fn enrollment(&self) -> Option<Enrollment> {
        self.inner.credentials().map(Into::into)
    }

    /// Sign a person in with their PIN (6–12 digits); they sign every change
    /// they make until `sign_out` or the next sign-in. A person's first
    /// sign-in on this tablet makes their key; `person_code` (from BKPSDM —
    /// the enrolled person's comes with the enrollment) binds it at the next
    /// sync. A wrong PIN raises `WrongPin`, then `PinLocked`, then `KeyWiped`.
    pub fn sign_in(&self, person_nip: String, pin: String, person_code: Option<String>) -> Result<Signer, MobileError> {
        Ok(self.inner.sign_in(&person_nip, &pin, person_code.as_deref())?.into())
    }

    /// `sign_in` for a PIN prompt: a wrong PIN, a lock-out or a wiped key
    /// come back as values with their numbers (attempts left, seconds to
    /// wait) rather than as exceptions; every other failure still raises.
    pub fn try_sign_in(
        &self,
        person_nip: String,
        pin: String,
        person_code: Option<String>,
    ) -> Result<SignInOutcome, MobileError> {
        match self.inner.sign_in(&person_nip, &pin, person_code.as_deref()) {
            Ok(info) => Ok(SignInOutcome::SignedIn { signer: info.into() }),
            Err(e) => match MobileError::from(e) {
                MobileError::WrongPin { attempts_left, message } => {
                    Ok(SignInOutcome::WrongPin { attempts_left, message })
                }
                MobileError::PinLocked { retry_after_secs, message } => {
                    Ok(SignInOutcome::PinLocked { retry_after_secs, message })
                }
                MobileError::KeyWiped { message } => Ok(SignInOutcome::KeyWiped { message }),
                other => Err(other),
            },
        }
    }

    pub fn sign_out(&self) {
        self.inner.sign_out();
    }

    /// Everyone with a key on this tablet and its standing ("menunggu verifikasi", …).
    pub fn signers(&self) -> Result<Vec<Signer>, MobileError> {
        Ok(self.inner.signers()?.into_iter().map(Into::into).collect())
    }

    pub fn my_staff(&self, period: String) -> Result<Vec<StaffMember>, MobileError> {
        Ok(self.inner.my_staff(&period)?.into_iter().map(Into::into).collect())
    }

    pub fn appraisals_by_status(
        &self,
        status: AppraisalStatus,
        period: Option<String>,
    ) -> Result<Vec<AppraisalSummary>, MobileError> {
        Ok(self.inner.appraisals_by_status(status.into(), period.as_deref())?.into_iter().map(Into::into).collect())
    }

    pub fn unsynced_count(&self) -> Result<u64, MobileError> {
        Ok(self.inner.unsynced_count()?)
    }

    pub fn feedback_awaiting_upload(&self) -> Result<Vec<FeedbackSummary>, MobileError> {
        Ok(self.inner.feedback_awaiting_upload()?.into_iter().map(Into::into).collect())
    }

    /// Start (or reopen) the appraisal of a staff member; returns its id.
    pub fn start_appraisal(&self, employee_nip: String, period: String) -> Result<String, MobileError> {
        Ok(self.inner.start_appraisal(&employee_nip, &period)?.to_string())
    }

    pub fn appraisal(&self, appraisal_id: String) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.appraisal(id)?))
    }

    /// Add an SKP target; returns its id.
    pub fn add_target(
        &self,
        appraisal_id: String,
        indicator: String,
        target: f64,
        unit: String,
        main: bool,
    ) -> Result<String, MobileError> {
        Ok(self.inner.add_target(id(&appraisal_id)?, &indicator, target, &unit, main)?)
    }

    pub fn set_realisation(
        &self,
        appraisal_id: String,
        target_id: String,
        value: f64,
    ) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.set_realisation(id, &target_id, value)?))
    }

    pub fn rate_target(
        &self,
        appraisal_id: String,
        target_id: String,
        rating: Rating,
    ) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.rate_target(id, &target_id, rating.into())?))
    }

    /// Rate a BerAKHLAK value with a score 1–3 (1 di bawah, 2 sesuai, 3 di atas ekspektasi).
    pub fn rate_behaviour(
        &self,
        appraisal_id: String,
        value: BehaviourValue,
        score: u8,
        note: Option<String>,
    ) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        let rating = prestasi_core::rules::predikat::Rating::from_score(score)?;
        Ok(AppraisalRecord::new(id, self.inner.rate_behaviour(id, value.into(), rating, note)?))
    }

    pub fn set_overall(
        &self,
        appraisal_id: String,
        hasil_kerja: Rating,
        perilaku: Rating,
    ) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.set_overall(id, hasil_kerja.into(), perilaku.into())?))
    }

    pub fn set_notes(&self, appraisal_id: String, notes: String) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.set_notes(id, &notes)?))
    }

    pub fn add_dialogue(&self, appraisal_id: String, text: String) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.add_dialogue(id, &text)?))
    }

    pub fn add_innovation(
        &self,
        appraisal_id: String,
        what: String,
        date: String,
        effect: String,
    ) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        let date = parse_date("date", &date)?;
        Ok(AppraisalRecord::new(id, self.inner.add_innovation(id, &what, date, &effect)?))
    }

    /// Submit, review or return to draft.
    pub fn set_status(&self, appraisal_id: String, status: AppraisalStatus) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.set_status(id, status.into())?))
    }

    /// Record a citizen's feedback (kiosk mode); returns its id.
    pub fn record_feedback(&self, input: FeedbackInput) -> Result<String, MobileError> {
        let scores: [u8; 9] = input
            .scores
            .as_slice()
            .try_into()
            .map_err(|_| ValidationError::out_of_range("scores", input.scores.len(), 9, 9))?;
        let input = session::FeedbackInput {
            unit_id: input.unit_id,
            service: input.service,
            scores,
            minutes_waited: input.minutes_waited,
            comment: input.comment,
            officer_nip: input.officer_nip,
        };
        Ok(self.inner.record_feedback(input)?.to_string())
    }

    pub fn record_training(&self, input: TrainingInput) -> Result<String, MobileError> {
        let input = session::TrainingInput {
            employee_nip: input.employee_nip,
            form: input.form.into(),
            title: input.title,
            provider: input.provider,
            start: parse_date("start", &input.start)?,
            end: parse_date("end", &input.end)?,
            hours: input.hours,
            programme_id: input.programme_id,
        };
        Ok(self.inner.record_training(input)?.to_string())
    }

    pub fn start_mentoring(
        &self,
        mentor_nip: String,
        mentee_nip: String,
        unit_id: String,
        start: String,
    ) -> Result<String, MobileError> {
        let start = parse_date("start", &start)?;
        Ok(self.inner.start_mentoring(&mentor_nip, &mentee_nip, &unit_id, start)?.to_string())
    }

    pub fn add_mentoring_session(
        &self,
        mentoring_id: String,
        date: String,
        minutes: u32,
        topic: String,
        notes: String,
    ) -> Result<(), MobileError> {
        let date = parse_date("date", &date)?;
        self.inner.add_mentoring_session(id(&mentoring_id)?, date, minutes, &topic, &notes)?;
        Ok(())
    }

    /// Push everything not yet on the server and pull what changed.
    pub fn sync_now(&self) -> Result<SyncSummary, MobileError> {
        Ok(self.inner.sync_now()?.into())
    }

    pub fn start_background_sync(
        &self,
        interval_seconds: u64,
        observer: Option<Box<dyn SyncStatusObserver>>,
    ) -> Result<(), MobileError> {
        let observer = observer.map(|o| Arc::new(Forward(o)) as Arc<dyn SyncObserver>);
        Ok(self.inner.start_background_sync(Duration::from_secs(interval_seconds.max(1)), observer)?)
    }

    pub fn stop_background_sync(&self) {
        self.inner.stop_background_sync();
    }

    /// No network at all: write everything not yet on the server into one
    /// bundle file at `path` (USB stick, SD card, a file-sharing app).
    /// After `Revoked` from a sync: what the tablet did (its store is
    /// deleted, unsynced records are in bundle files for BKPSDM). Every
    /// other call then raises `Wiped`.
    pub fn wipe_report(&self) -> Option<WipeReport> {
        self.inner.wipe().map(Into::into)
    }

    pub fn export_bundle(&self, path: String) -> Result<BundleWritten, MobileError> {
        Ok(self.inner.export_bundle(&path)?.into())
    }

    /// Import BKPSDM's receipt (or a scope bundle for this tablet).
    pub fn import_bundle(&self, path: String) -> Result<BundleRead, MobileError> {
        Ok(self.inner.import_bundle(&path)?.into())
    }

    /// What waits for the link, for the status line.
    pub fn link_status(&self) -> Result<LinkInfo, MobileError> {
        Ok(self.inner.link_status()?.into())
    }

    /// Server time of the last successful sync (RFC 3339).
    pub fn last_sync(&self) -> Result<Option<String>, MobileError> {
        Ok(self.inner.last_sync()?)
    }

    pub fn status(&self, record_id: String) -> Result<RecordStatus, MobileError> {
        Ok(self.inner.status(id(&record_id)?)?.into())
    }

    pub fn conflicts(&self, record_id: String) -> Result<Vec<ConflictRecord>, MobileError> {
        Ok(self.inner.conflicts(id(&record_id)?)?.into_iter().map(Into::into).collect())
    }

    /// Keep value number `pick` of the conflict at `path`.
    pub fn resolve_conflict(
        &self,
        appraisal_id: String,
        path: String,
        pick: u32,
    ) -> Result<AppraisalRecord, MobileError> {
        let id = id(&appraisal_id)?;
        Ok(AppraisalRecord::new(id, self.inner.resolve_conflict(id, &path, pick as usize)?))
    }

    pub fn history(&self, record_id: String) -> Result<Vec<HistoryRecord>, MobileError> {
        Ok(self.inner.history(id(&record_id)?)?.into_iter().map(Into::into).collect())
    }

    /// Drop this device's copy and take the server's on the next sync.
    pub fn discard_local_changes(&self, record_id: String) -> Result<(), MobileError> {
        Ok(self.inner.discard_local_changes(id(&record_id)?)?)
    }
}
