//! Administrative operations shared by the command line and the HR API,
//! and [`seed`], the one bulk write path (for the developer tools and test
//! fixtures; see its module documentation).

use crate::state::ServerIdentity;
use chrono::Utc;
use prestasi_core::doc::Document;
use prestasi_core::model::{Author, DocId, Employee, Role, Unit};
use prestasi_core::sync::protocol::PushOutcome;
use serde::Serialize;

use crate::auth::{enrollment_code, hash_password, normalise_code, sha256_hex};
use crate::error::AppError;
use crate::import::{self, RowError};
use crate::storage::{EnrollmentRow, Storage, StorageError, UserRow, WriteTx};
use crate::sync::{Merged, Writer};

#[path = "seed.rs"]
mod seed;
pub use seed::{SEED_BATCH, Seed, Seeded, seed};

/// Enrollment codes expire after a week.
const ENROLLMENT_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

pub fn create_tenant(storage: &dyn Storage, id: &str, name: &str) -> Result<(), AppError> {
    if id.trim().is_empty() || name.trim().is_empty() {
        return Err(AppError::bad_request("invalid", "Kode dan nama instansi wajib diisi."));
    }
    Ok(storage.create_tenant(id, name)?)
}

pub fn create_user(
    storage: &dyn Storage,
    tenant: &str,
    username: &str,
    password: &str,
    role: Role,
) -> Result<(), AppError> {
    if !role.is_hr() {
        return Err(AppError::bad_request("invalid", "users are hr or admin; supervisors and kiosks enroll devices"));
    }
    crate::credentials::check_username(username)?;
    crate::credentials::check_password(password, tenant, username)?;
    let password_hash = hash_password(password)?;
    Ok(storage.create_user(&UserRow { tenant_id: tenant.into(), username: username.into(), password_hash, role })?)
}

/// Who may issue an enrollment code for a device of role `device`: an HR
/// device reads and writes the whole tenant and an admin's more, so only an
/// admin may issue codes for those; HR officers issue supervisors' tablets
/// and kiosks. The one place of the rule, for the API and the devices page.
pub fn may_issue_enrollment(issuer: Role, device: Role) -> Result<(), AppError> {
    match (issuer, device) {
        (Role::Admin, _) | (Role::Hr, Role::Supervisor | Role::Kiosk) => Ok(()),
        _ => Err(AppError::Forbidden {
            message: "Hanya admin yang dapat menerbitkan kode pendaftaran untuk perangkat BKPSDM atau admin.".into(),
        }),
    }
}

/// [`issue_enrollment`] on behalf of a logged-in user of role `issuer`,
/// checked with [`may_issue_enrollment`] first.
pub fn issue_enrollment_as(
    storage: &dyn Storage,
    issuer: Role,
    tenant: &str,
    role: Role,
    user: &str,
    units: &[String],
) -> Result<String, AppError> {
    may_issue_enrollment(issuer, role)?;
    issue_enrollment(storage, tenant, role, user, units)
}

/// A one-time code a device exchanges for its own secret. No check of who
/// asks: for the command line (the server's operator) and tests; people
/// logged in go through [`issue_enrollment_as`].
pub fn issue_enrollment(
    storage: &dyn Storage,
    tenant: &str,
    role: Role,
    user: &str,
    units: &[String],
) -> Result<String, AppError> {
    match role {
        Role::Supervisor if units.is_empty() => {
            return Err(AppError::bad_request("invalid", "Perangkat atasan memerlukan unit kerja yang dipimpinnya."));
        }
        Role::Kiosk if units.len() != 1 => {
            return Err(AppError::bad_request("invalid", "Kios melayani tepat satu unit kerja."));
        }
        _ => {}
    }
    if user.trim().is_empty() {
        return Err(AppError::bad_request("invalid", "Pengguna perangkat wajib diisi."));
    }
    if storage.tenant(tenant)?.is_none() {
        return Err(AppError::NotFound { message: format!("Instansi {tenant} tidak ditemukan.") });
    }
    let code = enrollment_code()?;
    let now = Utc::now().timestamp_millis();
    storage.create_enrollment(&EnrollmentRow {
        code_hash: sha256_hex(&normalise_code(&code)),
        tenant_id: tenant.into(),
        role,
        user_id: user.into(),
        units: units.to_vec(),
        created_at: now,
        expires_at: now + ENROLLMENT_TTL_MS,
    })?;
    Ok(code)
}

pub fn revoke_device(storage: &dyn Storage, id: &str, reason: &str) -> Result<(), AppError> {
    Ok(storage.revoke_device(id, reason, Utc::now().timestamp_millis())?)
}

/// What an employee import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub employees: usize,
    pub units: usize,
    pub errors: Vec<RowError>,
}

/// Import a SIASN-style CSV: every valid row becomes (or updates) an
/// employee document, every unit a unit document, in one transaction.
/// Tablets receive them through sync like any other change.
pub fn import_employees(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    csv: impl std::io::Read,
) -> Result<ImportReport, AppError> {
    if storage.tenant(tenant)?.is_none() {
        return Err(AppError::NotFound { message: format!("Instansi {tenant} tidak ditemukan.") });
    }
    let roster = import::parse_roster(csv)
        .map_err(|e| AppError::Unprocessable { code: "bad_csv", message: e.user_message() })?;
    let w = hr_writer(tenant, "import", server);
    let mut report = ImportReport { errors: roster.errors, ..Default::default() };
    let mut refused = Vec::new();
    storage.write(&mut |tx| {
        refused.clear();
        for u in &roster.units {
            let id = DocId::derived(&format!("unit/{}", u.id));
            refused.extend(upsert::<Unit>(tx, &w, id, u)?.map(|r| (u.id.clone(), r)));
        }
        for e in &roster.employees {
            let id = DocId::derived(&format!("employee/{}", e.nip));
            refused.extend(upsert::<Employee>(tx, &w, id, e)?.map(|r| (e.nip.to_string(), r)));
        }
        Ok(())
    })?;
    for (what, reason) in refused {
        report.errors.push(RowError { row: 0, nip: Some(what), field: "(dokumen)".into(), reason });
    }
    report.units = roster.units.len();
    report.employees = roster.employees.len();
    Ok(report)
}

/// Create or overwrite a server-owned record through the normal checks.
/// Returns the refusal message if the record was not accepted.
pub(crate) fn upsert<T: Merged>(
    tx: &mut dyn WriteTx,
    w: &Writer,
    id: DocId,
    value: &T,
) -> Result<Option<String>, StorageError> {
    let now = Utc::now();
    let bytes = match tx.load(&w.tenant, id)? {
        Some(stored) => {
            let mut doc = match Document::<T>::load(id, &stored.bytes) {
                Ok(d) => d,
                Err(e) => return Ok(Some(e.to_string())),
            };
            if let Err(e) = doc.edit(&w.author, now, |v| {
                *v = value.clone();
                Ok(())
            }) {
                return Ok(Some(e.to_string()));
            }
            doc.save_incremental()
        }
        None => match Document::create(id, value, &w.author, now) {
            Ok(mut d) => d.save(),
            Err(e) => return Ok(Some(e.to_string())),
        },
    };
    if bytes.is_empty() {
        return Ok(None);
    }
    Ok(match crate::sync::push_typed::<T>(tx, w, id, &bytes, now.timestamp_millis())? {
        PushOutcome::Accepted { .. } => None,
        PushOutcome::Rejected(r) => Some(r.message),
    })
}

/// The server writing for an HR officer (or for `import`): its own actor,
/// the officer named on each change.
fn hr_writer(tenant: &str, officer: &str, server: &ServerIdentity) -> Writer {
    Writer {
        tenant: tenant.into(),
        origin: "server".into(),
        author: Author::new(officer, server.device, Role::Hr),
        enrolled_user: officer.into(),
        units: Vec::new(),
        signing_key: Some(server.key.clone()),
    }
}

/// An edit HR makes to a loaded document.
pub type HrChange<'a, T> = dyn Fn(&mut Document<T>, &Author) -> Result<(), prestasi_core::doc::DocError> + 'a;

/// Change one stored document as an HR officer, through the same checks
/// as a device's push; the change is a normal automerge change by the
/// server's actor naming the officer, so it syncs back to every tablet.
/// A document-level refusal comes back as a 422.
pub fn edit_as_hr<T: Merged>(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    officer: &str,
    id: DocId,
    change: &HrChange<'_, T>,
) -> Result<T, AppError> {
    let w = hr_writer(tenant, officer, server);
    let mut outcome: Option<Result<T, AppError>> = None;
    storage.write(&mut |tx| {
        outcome = Some(edit_in(tx, &w, id, change)?);
        Ok(())
    })?;
    outcome.unwrap_or_else(|| Err(AppError::Internal("edit did not run".into())))
}

fn edit_in<T: Merged>(
    tx: &mut dyn WriteTx,
    w: &Writer,
    id: DocId,
    change: &HrChange<'_, T>,
) -> Result<Result<T, AppError>, StorageError> {
    let refused = |message: String| Err(AppError::Unprocessable { code: "refused", message });
    let Some(stored) = tx.load(&w.tenant, id)? else {
        return Ok(Err(AppError::NotFound { message: format!("Dokumen {id} tidak ditemukan.") }));
    };
    let mut doc =
        Document::<T>::load(id, &stored.bytes).map_err(|e| StorageError::Backend(format!("stored {id}: {e}")))?;
    if let Err(e) = change(&mut doc, &w.author) {
        return Ok(match e {
            prestasi_core::doc::DocError::Validation(v) => Err(v.into()),
            other => refused(other.user_message()),
        });
    }
    let bytes = doc.save_incremental();
    let value = doc.value().map_err(|e| StorageError::Backend(format!("{id}: {e}")))?;
    if bytes.is_empty() {
        return Ok(Ok(value));
    }
    Ok(match crate::sync::push_typed::<T>(tx, w, id, &bytes, Utc::now().timestamp_millis())? {
        PushOutcome::Accepted { .. } => Ok(value),
        PushOutcome::Rejected(r) => refused(r.message),
    })
}

/// Create (or overwrite) a record as an HR officer, through the normal
/// checks; a refusal comes back as a 422.
pub fn record_as_hr<T: Merged>(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    officer: &str,
    id: DocId,
    value: &T,
) -> Result<(), AppError> {
    let w = hr_writer(tenant, officer, server);
    let mut refused = None;
    storage.write(&mut |tx| {
        refused = upsert::<T>(tx, &w, id, value)?;
        Ok(())
    })?;
    match refused {
        None => Ok(()),
        Some(message) => Err(AppError::Unprocessable { code: "refused", message }),
    }
}

/// The author the server names on feedback citizens give in the web form.
pub const WEB_FEEDBACK_AUTHOR: &str = "umpan-balik-web";

/// Store one citizen's feedback from the public web form. The server
/// writes it as its own actor in the least-privileged role that may: a
/// kiosk of the feedback's unit, so the normal checks allow exactly one
/// new feedback document of that unit and nothing else. Returns `false`
/// (storing nothing) if the document already exists — the same form sent
/// twice.
pub fn record_citizen_feedback(
    storage: &dyn Storage,
    server: &ServerIdentity,
    tenant: &str,
    id: DocId,
    feedback: &prestasi_core::model::Feedback,
) -> Result<bool, AppError> {
    let w = Writer {
        tenant: tenant.into(),
        origin: "server".into(),
        author: Author::new(WEB_FEEDBACK_AUTHOR, server.device, Role::Kiosk),
        enrolled_user: WEB_FEEDBACK_AUTHOR.into(),
        units: vec![feedback.unit_id.clone()],
        signing_key: Some(server.key.clone()),
    };
    let mut outcome = Ok(false);
    storage.write(&mut |tx| {
        outcome = if tx.load(tenant, id)?.is_some() {
            Ok(false)
        } else {
            match upsert(tx, &w, id, feedback)? {
                None => Ok(true),
                Some(message) => Err(AppError::Unprocessable { code: "refused", message }),
            }
        };
        Ok(())
    })?;
    outcome
}

/// How long an enrollment code stays valid, in days (for the pages).
pub const ENROLLMENT_TTL_DAYS: i64 = ENROLLMENT_TTL_MS / (24 * 60 * 60 * 1000);
