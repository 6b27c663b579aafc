//! The app-facing API of a device: one [`Session`] per installed app, over
//! its store and its sync client, acting as the person signed in.
//!
//! This is what the mobile bindings expose, so the Android and iOS apps and
//! the Rust tests drive the same code. Every operation validates its input
//! and the signed-in person's rights before anything is written.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::doc::{Conflict, HistoryEntry};
use crate::error::{Reason, ValidationError};
use crate::model::ids::new_item_id;
use crate::model::workflow::Roster;
use crate::model::{
    Appraisal, AppraisalStatus, Author, BehaviourValue, Channel, DialogNote, DocId, Feedback, Innovation, Mentoring,
    MentoringSession, Role, SkpTarget, Training,
};
use crate::rules::development::DevelopmentForm;
use crate::rules::nip::Nip;
use crate::rules::predikat::Rating;
use crate::rules::skm::Scores;
use crate::store::{
    AppraisalSummary, DocStatus, FeedbackSummary, SignerInfo, StaffMember, Store, StoreError, StoreKey,
};
use crate::sync::{
    BackgroundSync, BundleExport, BundleImport, Credentials, LinkStatus, SyncClient, SyncError, SyncObserver,
    SyncReport, Wipe,
};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("{0} not found on this device")]
    NotFound(String),
    /// Nobody is signed in, or the change names someone who is not.
    #[error("{person} is not signed in on this device")]
    NotSignedIn { person: String },
    #[error("wrong PIN; {attempts_left} attempts left")]
    WrongPin { attempts_left: u32 },
    #[error("too many wrong PINs; wait {retry_after_secs} s")]
    PinLocked { retry_after_secs: u64 },
    #[error("key of {person} wiped after too many wrong PINs")]
    KeyWiped { person: String },
    /// The store key does not open the store file (see [`StoreError::WrongKey`]).
    #[error("the store does not open with this key")]
    WrongKey,
    /// The device was revoked and wiped its store: nothing more can be done
    /// with this session (re-enroll with a new code from BKPSDM).
    #[error("the store on this device was wiped after the device was revoked")]
    Wiped,
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Validation(v) => Self::Validation(v),
            StoreError::NotFound { id, kind } => Self::NotFound(format!("{kind} {id}")),
            StoreError::NotSignedIn { person } => Self::NotSignedIn { person },
            StoreError::WrongPin { attempts_left } => Self::WrongPin { attempts_left },
            StoreError::PinLocked { retry_after_secs } => Self::PinLocked { retry_after_secs },
            StoreError::KeyWiped { person } => Self::KeyWiped { person },
            StoreError::WrongKey { .. } => Self::WrongKey,
            StoreError::Wiped => Self::Wiped,
            other => Self::Store(other),
        }
    }
}

impl SessionError {
    /// In Bahasa Indonesia, ready to show.
    pub fn user_message(&self) -> String {
        match self {
            Self::Validation(v) => v.user_message(),
            Self::Store(e) => e.user_message(),
            Self::Sync(e) => e.user_message(),
            Self::NotFound(what) => format!("Data tidak ditemukan di perangkat ini ({what})."),
            Self::NotSignedIn { person } if person.is_empty() => "Masuk dengan NIP dan PIN terlebih dahulu.".into(),
            Self::NotSignedIn { person } => format!("{person} belum masuk di perangkat ini; masukkan PIN."),
            Self::WrongPin { attempts_left } => {
                format!("PIN salah. Sisa {attempts_left} kali percobaan sebelum kunci dihapus.")
            }
            Self::PinLocked { retry_after_secs } => {
                format!("Terlalu banyak PIN salah. Coba lagi dalam {retry_after_secs} detik.")
            }
            Self::KeyWiped { .. } => "Kunci tanda tangan dihapus karena PIN salah berulang kali. Masuk lagi dengan \
                 kode verifikasi baru dari BKPSDM."
                .into(),
            Self::WrongKey => StoreError::WrongKey { path: Default::default() }.user_message(),
            Self::Wiped => StoreError::Wiped.user_message(),
        }
    }
}

/// A new citizen feedback, as a kiosk form collects it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackInput {
    /// The unit served; defaults to the kiosk's own unit.
    pub unit_id: Option<String>,
    pub service: String,
    pub scores: [u8; 9],
    pub minutes_waited: u32,
    pub comment: String,
    pub officer_nip: Option<String>,
}

/// A completed competency-development activity.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingInput {
    pub employee_nip: String,
    pub form: DevelopmentForm,
    pub title: String,
    pub provider: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub hours: f64,
    /// Attendance at a programme BKPSDM scheduled (its id, as shown on the
    /// programme's page): credits the JP to the programme's seat holder.
    pub programme_id: Option<String>,
}

#[derive(Debug)]
pub struct Session {
    store: Arc<Store>,
    client: Mutex<Option<Arc<SyncClient>>>,
    background: Mutex<Option<BackgroundSync>>,
    /// The person signed in now; their key is open in the store.
    person: Mutex<Option<String>>,
}

/// PINs are 6 to 12 digits.
pub const PIN_DIGITS: std::ops::RangeInclusive<usize> = 6..=12;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn nip(field: &str, s: &str) -> Result<Nip, ValidationError> {
    Nip::parse(s).map_err(|e| ValidationError::new(field, e.into()))
}

impl Session {
    /// Open (or create) the device's store at `path`, encrypted under `key`
    /// (32 bytes the app keeps, see docs/ANDROID.md); picks up an earlier
    /// enrollment. A plaintext store written before encryption is encrypted
    /// in place first ([`Store::encrypt_existing`]). A wrong key is
    /// [`SessionError::WrongKey`], the file untouched.
    pub fn open(path: &str, key: &StoreKey) -> Result<Self, SessionError> {
        let store = match Store::open(path, key) {
            Err(StoreError::Unencrypted { .. }) => {
                Store::encrypt_existing(path, key)?;
                Store::open(path, key)?
            }
            other => other?,
        };
        let store = Arc::new(store);
        let client = match SyncClient::from_store(store.clone()) {
            Ok(c) => Some(Arc::new(c)),
            Err(SyncError::NotEnrolled) => None,
            Err(e) => return Err(e.into()),
        };
        let session =
            Self { store, client: Mutex::new(client), background: Mutex::new(None), person: Mutex::new(None) };
        session.sign_in_kiosk()?;
        Ok(session)
    }

    /// A kiosk is unattended: its key is sealed under no PIN and opened at
    /// start (the device's own protection is all it has; see ANDROID.md).
    fn sign_in_kiosk(&self) -> Result<(), SessionError> {
        let Some(client) = lock(&self.client).clone().filter(|c| c.credentials().role == Role::Kiosk) else {
            return Ok(());
        };
        client.sign_in_enrolled("")?;
        *lock(&self.person) = Some(client.credentials().user.clone());
        Ok(())
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Exchange a one-time code from BKPSDM for this device's credentials.
    pub fn enroll(&self, server_url: &str, code: &str) -> Result<Credentials, SessionError> {
        let client = SyncClient::enroll(self.live()?.clone(), server_url, code)?;
        let creds = client.credentials().clone();
        *lock(&self.client) = Some(Arc::new(client));
        self.sign_in_kiosk()?;
        Ok(creds)
    }

    /// Trust only `pem`, the server's own CA certificate(s), for this
    /// device's server (`None`: the platform's roots again); see
    /// [`SyncClient::set_server_ca`]. Set it before [`Session::enroll`];
    /// an enrolled session picks it up at once (a background sync already
    /// running keeps the old setting until it is started again).
    pub fn set_server_ca(&self, pem: Option<&str>) -> Result<(), SessionError> {
        SyncClient::set_server_ca(self.live()?, pem)?;
        let mut client = lock(&self.client);
        if client.is_some() {
            *client = Some(Arc::new(SyncClient::from_store(self.store.clone())?));
        }
        Ok(())
    }

    /// Enroll a tablet that has never been online: HR's enrollment bundle
    /// (a file) and the enrollment code, which opens it. The tablet's unit
    /// (staff, HR's decisions, earlier appraisals) comes with it.
    pub fn enroll_from_bundle(&self, path: &str, code: &str) -> Result<Credentials, SessionError> {
        let (client, _) = SyncClient::enroll_from_bundle(self.live()?.clone(), std::path::Path::new(path), code)?;
        let creds = client.credentials().clone();
        *lock(&self.client) = Some(Arc::new(client));
        self.sign_in_kiosk()?;
        Ok(creds)
    }

    pub fn credentials(&self) -> Option<Credentials> {
        lock(&self.client).as_ref().map(|c| c.credentials().clone())
    }

    fn client(&self) -> Result<Arc<SyncClient>, SessionError> {
        self.live()?;
        lock(&self.client).clone().ok_or(SessionError::Sync(SyncError::NotEnrolled))
    }

    /// The store, unless a revocation wiped it ([`SessionError::Wiped`]).
    fn live(&self) -> Result<&Arc<Store>, SessionError> {
        if self.store.is_wiped() {
            return Err(SessionError::Wiped);
        }
        Ok(&self.store)
    }

    /// What the wipe after a revocation did (bundles for HR), once it ran:
    /// from then on every call is [`SessionError::Wiped`].
    pub fn wipe(&self) -> Option<Wipe> {
        lock(&self.client).as_ref().and_then(|c| c.wipe())
    }

    /// Sign `person_nip` in with their PIN; they sign every change they make
    /// until [`Session::sign_out`] or another person signs in. The first
    /// sign-in of a person on this device makes their key; it is bound on
    /// the server by `person_code` (from BKPSDM; the enrolled person's comes
    /// with the enrollment), which may also be given at a later sign-in.
    /// Until bound, their changes wait as "menunggu verifikasi".
    pub fn sign_in(&self, person_nip: &str, pin: &str, person_code: Option<&str>) -> Result<SignerInfo, SessionError> {
        let creds = self.credentials().ok_or(SessionError::Sync(SyncError::NotEnrolled))?;
        // Staff sign in by NIP; an HR device's enrolled user is an account name.
        if person_nip != creds.user || creds.role == Role::Supervisor {
            nip("person", person_nip)?;
        }
        if person_nip != creds.user && creds.role != Role::Supervisor {
            return Err(ValidationError::new("person", Reason::NotPermitted { allowed: "tablet atasan".into() }).into());
        }
        if !PIN_DIGITS.contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(
                ValidationError::said("pin", "a PIN is 6 to 12 digits", "PIN terdiri dari 6 sampai 12 angka").into()
            );
        }
        let enrolled_code = if person_nip == creds.user && person_code.is_none() {
            self.live()?.meta(crate::sync::PERSON_CODE_KEY)?
        } else {
            None
        };
        let info = self.live()?.sign_in(person_nip, pin, person_code.or(enrolled_code.as_deref()))?;
        if enrolled_code.is_some() {
            self.live()?.delete_meta(crate::sync::PERSON_CODE_KEY)?;
        }
        if let Some(before) = lock(&self.person).replace(person_nip.to_string())
            && before != person_nip
        {
            self.store.sign_out(&before);
        }
        Ok(info)
    }

    /// Close the signed-in person's key.
    pub fn sign_out(&self) {
        if let Some(p) = lock(&self.person).take() {
            self.store.sign_out(&p);
        }
    }

    /// Everyone with a key on this device and where it stands.
    pub fn signers(&self) -> Result<Vec<SignerInfo>, SessionError> {
        Ok(self.live()?.signers()?)
    }

    /// Who edits now: the signed-in person on this device in its role.
    pub fn author(&self) -> Result<Author, SessionError> {
        let creds = self.credentials().ok_or(SessionError::Sync(SyncError::NotEnrolled))?;
        let user = lock(&self.person).clone().ok_or(SessionError::NotSignedIn { person: String::new() })?;
        Ok(Author::new(user, self.live()?.device_id(), creds.role))
    }

    // --- Roster and offline queries ---------------------------------------

    /// The signed-in person's staff, with their appraisal in `period`.
    pub fn my_staff(&self, period: &str) -> Result<Vec<StaffMember>, SessionError> {
        Ok(self.live()?.my_staff(&self.author()?.user, period)?)
    }

    pub fn appraisals_by_status(
        &self,
        status: AppraisalStatus,
        period: Option<&str>,
    ) -> Result<Vec<AppraisalSummary>, SessionError> {
        Ok(self.live()?.appraisals_by_status(status, period)?)
    }

    pub fn unsynced_count(&self) -> Result<u64, SessionError> {
        Ok(self.live()?.unsynced_count()?)
    }

    pub fn feedback_awaiting_upload(&self) -> Result<Vec<FeedbackSummary>, SessionError> {
        Ok(self.live()?.feedback_awaiting_upload()?)
    }

    // --- Appraisals --------------------------------------------------------

    /// Start (or reopen) the appraisal of a staff member for `period`,
    /// appraised by the signed-in person and reviewed by their superior.
    pub fn start_appraisal(&self, employee_nip: &str, period: &str) -> Result<DocId, SessionError> {
        crate::model::period::validate_code(period)?;
        let staff = nip("employee_nip", employee_nip)?;
        let id = DocId::for_appraisal(&staff, period);
        if self.live()?.status(id).is_ok() {
            return Ok(id);
        }
        let (_, employee) = self.live()?.employee(staff.as_str())?.ok_or_else(|| {
            ValidationError::said(
                "employee_nip",
                format!("{employee_nip} is not on this device's roster"),
                format!("{employee_nip} tidak ada dalam daftar pegawai di perangkat ini"),
            )
        })?;
        let author = self.author()?;
        let appraiser = nip("appraiser_nip", &author.user)?;
        let mut a = Appraisal::new(staff, period, &employee.unit_id, appraiser.clone())?;
        a.reviewer_nip = self.live()?.employee(appraiser.as_str())?.and_then(|(_, me)| me.superior_nip);
        // The same roster rule the server applies: refuse here, not after a sync.
        let roster = Roster {
            employee_unit: employee.unit_id.clone(),
            employee_superior: employee.superior_nip.clone(),
            appraiser_superior: a.reviewer_nip.clone(),
        };
        crate::model::workflow::check_assignment(&a, &author, &roster)?;
        self.live()?.create(id, &a, &author)?;
        Ok(id)
    }

    pub fn appraisal(&self, id: DocId) -> Result<Appraisal, SessionError> {
        Ok(self.live()?.get::<Appraisal>(id)?)
    }

    /// Any change to an appraisal, checked like every other.
    pub fn edit_appraisal(
        &self,
        id: DocId,
        edit: impl FnOnce(&mut Appraisal) -> Result<(), ValidationError>,
    ) -> Result<Appraisal, SessionError> {
        Ok(self.live()?.update::<Appraisal>(id, &self.author()?, edit)?)
    }

    /// Add an SKP target; returns its id.
    pub fn add_target(
        &self,
        id: DocId,
        indicator: &str,
        target: f64,
        unit: &str,
        main: bool,
    ) -> Result<String, SessionError> {
        let t = SkpTarget::new(indicator, target, unit, main)?;
        let target_id = t.id.clone();
        self.edit_appraisal(id, |a| {
            a.targets.push(t);
            Ok(())
        })?;
        Ok(target_id)
    }

    pub fn set_realisation(&self, id: DocId, target_id: &str, value: f64) -> Result<Appraisal, SessionError> {
        self.edit_appraisal(id, |a| {
            a.target_mut(target_id)?.realisation = Some(value);
            Ok(())
        })
    }

    pub fn rate_target(&self, id: DocId, target_id: &str, rating: Rating) -> Result<Appraisal, SessionError> {
        self.edit_appraisal(id, |a| {
            a.target_mut(target_id)?.rating = Some(rating);
            Ok(())
        })
    }

    pub fn rate_behaviour(
        &self,
        id: DocId,
        value: BehaviourValue,
        rating: Rating,
        note: Option<String>,
    ) -> Result<Appraisal, SessionError> {
        self.edit_appraisal(id, |a| {
            a.behaviour.insert(value, rating);
            if let Some(n) = note {
                a.behaviour_notes.insert(value, n);
            }
            Ok(())
        })
    }

    /// The overall Hasil Kerja and Perilaku ratings; the predikat follows.
    pub fn set_overall(&self, id: DocId, hasil_kerja: Rating, perilaku: Rating) -> Result<Appraisal, SessionError> {
        self.edit_appraisal(id, |a| {
            a.hasil_kerja = Some(hasil_kerja);
            a.perilaku = Some(perilaku);
            Ok(())
        })
    }

    pub fn set_notes(&self, id: DocId, notes: &str) -> Result<Appraisal, SessionError> {
        self.edit_appraisal(id, |a| {
            a.notes = notes.to_string();
            Ok(())
        })
    }

    /// Add a dialog-kinerja note, dated today by the device clock.
    pub fn add_dialogue(&self, id: DocId, text: &str) -> Result<Appraisal, SessionError> {
        let author_nip = self.author()?.user;
        self.edit_appraisal(id, |a| {
            a.dialogues.push(DialogNote {
                id: new_item_id(),
                date: Utc::now().date_naive(),
                author_nip,
                text: text.into(),
            });
            Ok(())
        })
    }

    pub fn add_innovation(
        &self,
        id: DocId,
        what: &str,
        date: NaiveDate,
        effect: &str,
    ) -> Result<Appraisal, SessionError> {
        self.edit_appraisal(id, |a| {
            a.innovations.push(Innovation { id: new_item_id(), what: what.into(), date, effect: effect.into() });
            Ok(())
        })
    }

    /// Move the appraisal to `status` (submit, review, return to draft).
    pub fn set_status(&self, id: DocId, status: AppraisalStatus) -> Result<Appraisal, SessionError> {
        self.edit_appraisal(id, |a| {
            a.status = status;
            Ok(())
        })
    }

    // --- Feedback, training, mentoring --------------------------------------

    /// Record a citizen's feedback (kiosk mode).
    pub fn record_feedback(&self, input: FeedbackInput) -> Result<DocId, SessionError> {
        let creds = self.credentials().ok_or(SessionError::Sync(SyncError::NotEnrolled))?;
        let unit_id = input
            .unit_id
            .or_else(|| creds.units.first().cloned())
            .ok_or_else(|| ValidationError::new("unit_id", Reason::Empty))?;
        let officer_nip = input.officer_nip.as_deref().map(|n| nip("officer_nip", n)).transpose()?;
        let fb = Feedback {
            unit_id,
            service: input.service,
            scores: Scores::new(input.scores)?,
            minutes_waited: input.minutes_waited,
            comment: input.comment,
            channel: if creds.role == Role::Kiosk { Channel::Kiosk } else { Channel::App },
            submitted_at: Utc::now(),
            officer_nip,
        };
        let id = DocId::new();
        self.live()?.create(id, &fb, &self.author()?)?;
        Ok(id)
    }

    pub fn record_training(&self, input: TrainingInput) -> Result<DocId, SessionError> {
        let t = Training {
            employee_nip: nip("employee_nip", &input.employee_nip)?,
            form: input.form,
            title: input.title,
            provider: input.provider,
            start: input.start,
            end: input.end,
            minutes: Training::minutes_from_hours(input.hours)?,
            programme_id: input.programme_id,
        };
        let id = match &t.programme_id {
            Some(p) => DocId::for_attendance(p, &t.employee_nip),
            None => DocId::new(),
        };
        self.live()?.create(id, &t, &self.author()?)?;
        Ok(id)
    }

    pub fn start_mentoring(
        &self,
        mentor_nip: &str,
        mentee_nip: &str,
        unit_id: &str,
        start: NaiveDate,
    ) -> Result<DocId, SessionError> {
        let m = Mentoring {
            mentor_nip: nip("mentor_nip", mentor_nip)?,
            mentee_nip: nip("mentee_nip", mentee_nip)?,
            unit_id: unit_id.into(),
            start,
            active: true,
            sessions: Vec::new(),
        };
        let id = DocId::new();
        self.live()?.create(id, &m, &self.author()?)?;
        Ok(id)
    }

    pub fn add_mentoring_session(
        &self,
        id: DocId,
        date: NaiveDate,
        minutes: u32,
        topic: &str,
        notes: &str,
    ) -> Result<Mentoring, SessionError> {
        Ok(self.live()?.update::<Mentoring>(id, &self.author()?, |m| {
            m.sessions.push(MentoringSession {
                id: new_item_id(),
                date,
                minutes,
                topic: topic.into(),
                notes: notes.into(),
            });
            Ok(())
        })?)
    }

    // --- Sync --------------------------------------------------------------

    pub fn sync_now(&self) -> Result<SyncReport, SessionError> {
        Ok(self.client()?.sync_now()?)
    }

    /// Sync now and then every `every`, backing off while offline; events go
    /// to `observer`. Replaces a loop already running.
    pub fn start_background_sync(
        &self,
        every: Duration,
        observer: Option<Arc<dyn SyncObserver>>,
    ) -> Result<(), SessionError> {
        let bg = BackgroundSync::start(self.client()?, every, observer);
        if let Some(old) = lock(&self.background).replace(bg) {
            old.stop();
        }
        Ok(())
    }

    pub fn stop_background_sync(&self) {
        if let Some(bg) = lock(&self.background).take() {
            bg.stop();
        }
    }

    /// Write everything not yet on the server into a bundle file at `path`
    /// (for a USB stick or SD card, when there is no network at all).
    pub fn export_bundle(&self, path: &str) -> Result<BundleExport, SessionError> {
        Ok(self.client()?.export_bundle(std::path::Path::new(path))?)
    }

    /// Import HR's receipt for a bundle, or a scope bundle HR wrote for
    /// this tablet.
    pub fn import_bundle(&self, path: &str) -> Result<BundleImport, SessionError> {
        Ok(self.client()?.import_bundle(std::path::Path::new(path))?)
    }

    /// What waits for the link and how fast it was.
    pub fn link_status(&self) -> Result<LinkStatus, SessionError> {
        Ok(self.client()?.link_status()?)
    }

    /// Server time of the last successful sync.
    pub fn last_sync(&self) -> Result<Option<String>, SessionError> {
        Ok(self.client()?.last_success()?)
    }

    // --- Per-record status, conflicts, history -------------------------------

    pub fn status(&self, id: DocId) -> Result<DocStatus, SessionError> {
        Ok(self.live()?.status(id)?)
    }

    pub fn conflicts(&self, id: DocId) -> Result<Vec<Conflict>, SessionError> {
        Ok(self.live()?.conflicts(id)?)
    }

    pub fn resolve_conflict(&self, id: DocId, path: &str, pick: usize) -> Result<Appraisal, SessionError> {
        Ok(self.live()?.resolve_conflict::<Appraisal>(id, path, pick, &self.author()?)?)
    }

    pub fn history(&self, id: DocId) -> Result<Vec<HistoryEntry>, SessionError> {
        Ok(self.live()?.history(id)?)
    }

    pub fn discard_local_changes(&self, id: DocId) -> Result<(), SessionError> {
        Ok(self.live()?.discard_local_changes(id)?)
    }
}
