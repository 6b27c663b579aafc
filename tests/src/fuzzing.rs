//! What each fuzz target (`fuzz/fuzz_targets/`) does with its input, shared
//! with the stable regression test that replays every kept input
//! (`tests/tests/fuzz_regressions.rs`, inputs in `fuzz/regressions/`). A
//! target may reject its input in any typed way; it must never panic, hang
//! or grow without bound.

use std::sync::{Arc, Mutex, OnceLock};

use prestasi_core::doc::Document;
use prestasi_core::model::{Allowance, Appraisal, Award, DocId, Employee, Feedback, Mentoring, Role, Training, Unit};
use prestasi_core::sync::bundle;
use prestasi_core::sync::protocol::{self, SyncRequest, SyncResponse};
use prestasi_server::config::Limits;
use prestasi_server::storage::sqlite::SqliteStorage;
use prestasi_server::storage::{DeviceRow, Storage};

const TENANT: &str = "fuzz";
const BOSS: &str = "198802182010062056";
const STAFF: &str = "199307082019031090";

/// A bundle file: its framing and MAC, and (past the MAC) the envelope's
/// body and the messages in it; an enrollment bundle's opening.
pub fn bundle_file(data: &[u8]) {
    if let Ok(u) = bundle::open(data) {
        let _ = u.verify(&bundle::device_key("fuzz-secret"));
    }
    // What a file that passed its MAC would carry.
    if let Ok(env) = protocol::decode::<bundle::Envelope>(data)
        && let Ok(message) = env.message()
    {
        let _ = protocol::decode::<SyncRequest>(&message);
        let _ = protocol::decode::<SyncResponse>(&message);
    }
    // Argon2 runs only for a file whose (public-key) MAC holds: mutations
    // of a seed fail it and stay fast.
    let _ = bundle::open_enrollment(data, "ABCD-EFGH-JKLM");
}

/// The bytes of a stored or pushed document, loaded as every record kind.
pub fn documents(data: &[u8]) {
    fn kind<T: prestasi_core::doc::Record>(data: &[u8]) {
        if let Ok(mut d) = Document::<T>::load(DocId::new(), data) {
            let _ = d.value();
            let _ = d.conflicts();
            let _ = d.history();
        }
    }
    kind::<Appraisal>(data);
    kind::<Feedback>(data);
    kind::<Training>(data);
    kind::<Mentoring>(data);
    kind::<Employee>(data);
    kind::<Unit>(data);
    kind::<Allowance>(data);
    kind::<Award>(data);
}

/// A server with one tenant, a unit of two people and an enrolled
/// supervisor tablet, made once per process. A failure here is a broken
/// build, not an input: it may panic.
#[allow(clippy::expect_used)]
fn server() -> &'static Mutex<(Arc<dyn Storage>, DeviceRow)> {
    static SERVER: OnceLock<Mutex<(Arc<dyn Storage>, DeviceRow)>> = OnceLock::new();
    SERVER.get_or_init(|| {
        let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::in_memory().expect("in-memory store"));
        let s = storage.as_ref();
        let id = prestasi_server::state::server_identity(s).expect("server identity");
        prestasi_server::admin::create_tenant(s, TENANT, "Kabupaten Fuzz").expect("tenant");
        let csv = format!(
            "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;NIP_ATASAN\n\
             {BOSS};Kepala;u1;Unit 1;pemkab;Pemkab;pengawas;Kepala;\n\
             {STAFF};Staf;u1;Unit 1;pemkab;Pemkab;pelaksana;Staf;{BOSS}\n"
        );
        prestasi_server::admin::import_employees(s, &id, TENANT, csv.as_bytes()).expect("roster");
        let code =
            prestasi_server::admin::issue_enrollment(s, TENANT, Role::Supervisor, BOSS, &["u1".into()]).expect("code");
        let row = DeviceRow {
            id: prestasi_core::model::DeviceId::random().to_string(),
            tenant_id: String::new(),
            role: Role::Kiosk,
            user_id: String::new(),
            units: Vec::new(),
            secret_hash: prestasi_server::auth::sha256_hex("fuzz-secret"),
            enrolled_at: 0,
            revoked_at: None,
            revoked_reason: None,
        };
        let hash = prestasi_server::auth::sha256_hex(&prestasi_server::auth::normalise_code(&code));
        let device = s.redeem_enrollment(&hash, &row, 0).expect("enrolled");
        Mutex::new((storage, device))
    })
}

/// A sync request body (CBOR) through the whole server side of a sync:
/// decode, key bindings, every pushed document's checks and writes, the
/// pull, against one in-memory store.
pub fn push_path(data: &[u8]) {
    let Ok(req) = protocol::decode::<SyncRequest>(data) else { return };
    let guard = server().lock().unwrap_or_else(|p| p.into_inner());
    let (storage, device) = &*guard;
    let _ = prestasi_server::sync::sync(storage.as_ref(), &Limits::default(), device, req);
}

/// An employee CSV, imported into the fuzz tenant.
pub fn csv_import(data: &[u8]) {
    let guard = server().lock().unwrap_or_else(|p| p.into_inner());
    let storage = guard.0.as_ref();
    if let Ok(id) = prestasi_server::state::server_identity(storage) {
        let _ = prestasi_server::admin::import_employees(storage, &id, TENANT, data);
    }
}

/// Valid inputs of each target, to seed its corpus and to replay: a
/// bundle file and an enrollment bundle, an appraisal and a feedback
/// document, a sync request pushing one, a roster CSV.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use prestasi_core::model::Author;
    use prestasi_core::rules::nip::Nip;
    let nip = |s: &str| Nip::parse(s).unwrap_or_else(|_| unreachable!("a valid NIP"));
    let author = Author::new(BOSS, prestasi_core::model::DeviceId::random(), Role::Supervisor);
    let id = DocId::for_appraisal(&nip(STAFF), "2026-S1");
    let mut out = Vec::new();
    if let Ok(a) = Appraisal::new(nip(STAFF), "2026-S1", "u1", nip(BOSS))
        && let Ok(mut doc) = Document::create(id, &a, &author, chrono::Utc::now())
    {
        let bytes = doc.save();
        out.push(("documents", bytes.clone()));
        let req = SyncRequest {
            v: protocol::PROTOCOL_VERSION,
            push: vec![protocol::PushDoc {
                id: protocol::id_bytes(id),
                kind: "appraisal".into(),
                changes: bytes.into(),
                sigs: Vec::new(),
            }],
            ..SyncRequest::default()
        };
        let message = protocol::encode(&req);
        out.push(("push_path", message.clone()));
        let env = bundle::Envelope::new(bundle::BundleKind::Push, TENANT, "device", message);
        out.push(("bundle_file", bundle::seal(&env, &bundle::device_key("fuzz-secret"))));
        out.push(("bundle_file", protocol::encode(&env)));
    }
    out.push((
        "csv_import",
        format!(
            "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;NIP_ATASAN\n\
             {STAFF};Rina;u1;Unit 1;pemkab;Pemkab;pelaksana;Staf;III/a;{BOSS}\n"
        )
        .into_bytes(),
    ));
    out
}

/// The target named `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    Some(match name {
        "bundle_file" => bundle_file,
        "documents" => documents,
        "push_path" => push_path,
        "csv_import" => csv_import,
        _ => return None,
    })
}

/// Every target's name.
pub const TARGETS: [&str; 4] = ["bundle_file", "documents", "push_path", "csv_import"];
