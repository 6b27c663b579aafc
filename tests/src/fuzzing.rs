//! What each fuzz target (`fuzz/fuzz_targets/`) does with its input, shared
//! with the stable regression test that replays every kept input
//! (`tests/tests/fuzz_regressions.rs`, inputs in `fuzz/regressions/`). A
//! target may reject its input in any typed way; it must never panic, hang
//! or grow without bound.

use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use prestasi_core::doc::Document;
use prestasi_core::model::{Allowance, Appraisal, Award, DocId, Employee, Feedback, Mentoring, Role, Training, Unit};
use prestasi_core::sync::bundle;
use prestasi_core::sync::protocol::{self, SyncRequest, SyncResponse};
use prestasi_server::config::Limits;
use prestasi_server::storage::sqlite::SqliteStorage;
use prestasi_server::storage::{DeviceRow, Storage, UserRow};
use tower::ServiceExt;

const TENANT: &str = "fuzz";
const BOSS: &str = "198802182010062056";
const STAFF: &str = "199307082019031090";
/// The fuzz tenant's HR officer and the password they do not have: the
/// login seeds send this one, so no input opens a session.
const HR_USER: &str = "petugas-hr";
const WRONG_PASSWORD: &str = "bukan-kata-sandinya";
/// `kata-sandi-fuzz` hashed with argon2id at the smallest parameters
/// (m=8 KiB, t=1): `verify_password` takes its parameters from the hash, so
/// an input naming this officer runs the real check in microseconds instead
/// of the production cost (tens of milliseconds per execution).
const HR_PASSWORD_HASH: &str =
    "$argon2id$v=19$m=8,t=1,p=1$cHJlc3Rhc2ktZnV6ei0xNg$C2TlyuIvT/lG0Z/IBNLaf9OnwENXugXyLjavoh30Twk";
/// Where the citizen form keeps its signing secret (`web::citizen`); set
/// here before the first form so the targets can sign tokens.
const FORM_SECRET_KEY: &str = "citizen_form_secret";
/// What a citizen form input says where a valid token goes (see
/// [`citizen_form`]).
const TOKEN_MARK: &[u8] = b"$TOKEN";

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
            wiped_at: None,
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
    let _ = prestasi_server::sync::sync(storage.as_ref(), &Limits::default(), device, req, "fuzz".into());
}

/// An employee CSV, imported into the fuzz tenant.
pub fn csv_import(data: &[u8]) {
    let guard = server().lock().unwrap_or_else(|p| p.into_inner());
    let storage = guard.0.as_ref();
    if let Ok(id) = prestasi_server::state::server_identity(storage) {
        let _ = prestasi_server::admin::import_employees(storage, &id, TENANT, data);
    }
}

/// The fuzz server over HTTP: the server's own router (`prestasi_server::router`)
/// on the store of [`server`], a runtime to drive it in this thread, the
/// supervisor tablet's bearer token and the citizen form's secret. Limits
/// as shipped but for the citizen form's rate limits, which would turn
/// every post after the fifth away unread.
struct Http {
    rt: tokio::runtime::Runtime,
    app: axum::Router,
    bearer: String,
    form_secret: String,
}

#[allow(clippy::expect_used)]
fn http() -> &'static Http {
    static HTTP: OnceLock<Http> = OnceLock::new();
    HTTP.get_or_init(|| {
        let guard = server().lock().unwrap_or_else(|p| p.into_inner());
        let (storage, device) = &*guard;
        let hr = UserRow {
            tenant_id: TENANT.into(),
            username: HR_USER.into(),
            password_hash: HR_PASSWORD_HASH.into(),
            role: Role::Hr,
        };
        storage.create_user(&hr).expect("HR officer");
        let form_secret = storage.init_meta(FORM_SECRET_KEY, "fuzz-form-secret").expect("form secret");
        let limits = Limits { feedback_per_client: u32::MAX, feedback_per_unit: u32::MAX, ..Limits::default() };
        let state = prestasi_server::state::AppState::new(storage.clone(), limits).expect("app state");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let http = Http {
            rt,
            app: prestasi_server::router(state),
            bearer: format!("Bearer {}.fuzz-secret", device.id),
            form_secret,
        };
        // The tokens `citizen_form` signs are the form's own: the one a
        // served form carries checks out with the same signature.
        let page = Request::get(format!("/umpan-balik/{TENANT}/u1")).body(Body::empty()).expect("request");
        let (status, html) = http.answer(page).expect("the form page");
        let html = String::from_utf8_lossy(&html);
        let served = html.split(r#"name="token" value=""#).nth(1).and_then(|t| t.split('"').next());
        let (secs, nonce) = served
            .and_then(|t| t.split_once('.'))
            .and_then(|(secs, rest)| Some((secs.parse::<i64>().ok()?, rest.split('.').next()?)))
            .expect("the form carries a token");
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            served,
            Some(http.form_token(secs, nonce).as_str()),
            "the form's token is signed as fuzzing.rs signs"
        );
        http
    })
}

impl Http {
    /// The server's answer to `req`: its status and body. A 5xx is the
    /// server's own failure (a panicked worker is one), never the right
    /// answer to a body: it fails the target.
    fn answer(&self, req: Request<Body>) -> Option<(StatusCode, axum::body::Bytes)> {
        let (status, body) = self.rt.block_on(async {
            let res = self.app.clone().oneshot(req).await.ok()?;
            let status = res.status();
            Some((status, axum::body::to_bytes(res.into_body(), usize::MAX).await.ok()?))
        })?;
        assert!(!status.is_server_error(), "answered {status}: {}", String::from_utf8_lossy(&body));
        Some((status, body))
    }

    /// POST `body` to `path` as `content_type`.
    fn post(&self, path: &str, content_type: &str, body: Vec<u8>) {
        if let Ok(req) = Request::post(path).header(header::CONTENT_TYPE, content_type).body(Body::from(body)) {
            let _ = self.answer(req);
        }
    }

    /// A citizen form token for unit u1 served at `secs` (the signature of
    /// `web::citizen::token`).
    fn form_token(&self, secs: i64, nonce: &str) -> String {
        prestasi_server::web::citizen_form_token(&self.form_secret, TENANT, "u1", secs, nonce)
    }
}

/// `Content-Encoding` and size limits of a sync body as the server applies
/// them: a `POST /v1/sync` by the fuzz tablet through the server's router
/// (the body read within 16 MiB, zstd-decompressed to at most 64 MiB, the
/// `SyncRequest` decoded, the request-level checks, then the sync of
/// [`push_path`]). The input goes as the compressed body itself, then
/// zstd-compressed here, so that its bytes are also a request's.
pub fn sync_request(data: &[u8]) {
    let framed = zstd::encode_all(data, 1).ok();
    for body in [Some(data.to_vec()), framed].into_iter().flatten() {
        let _ = sync_status(body);
    }
}

/// The status the server answers a zstd-compressed sync `body` of the fuzz
/// tablet with (as [`sync_request`] sends it), `None` if it gave none.
pub fn sync_status(body: Vec<u8>) -> Option<u16> {
    let h = http();
    let _guard = server().lock().unwrap_or_else(|p| p.into_inner());
    let req = Request::post(protocol::SYNC_PATH)
        .header(header::AUTHORIZATION, &h.bearer)
        .header(header::CONTENT_TYPE, protocol::CONTENT_TYPE)
        .header(header::CONTENT_ENCODING, "zstd")
        .body(Body::from(body))
        .ok()?;
    h.answer(req).map(|(status, _)| status.as_u16())
}

/// The JSON body of `POST /v1/enroll` through the server's router: the
/// body's parse into an `EnrollRequest`, the device id's checks, the code's
/// redemption (every code the fuzzer can write is unknown: refused).
pub fn enroll_body(data: &[u8]) {
    let h = http();
    let _guard = server().lock().unwrap_or_else(|p| p.into_inner());
    h.post(protocol::ENROLL_PATH, "application/json", data.to_vec());
}

/// An HR login body, as JSON to `POST /v1/login` and as a form to
/// `POST /masuk`, through the server's router: parse, the officer's lookup,
/// the password check (cheap: see [`HR_PASSWORD_HASH`]) and the refusal page.
pub fn login_body(data: &[u8]) {
    let h = http();
    let _guard = server().lock().unwrap_or_else(|p| p.into_inner());
    h.post("/v1/login", "application/json", data.to_vec());
    h.post("/masuk", "application/x-www-form-urlencoded", data.to_vec());
}

/// A citizen feedback form post to unit u1 of the fuzz tenant through the
/// server's router: the form's parse, the token's check, the answers'
/// validation into a `Feedback`, its write as a web feedback document, the
/// page shown back. Every `$TOKEN` in the input becomes a token the form
/// served a minute ago, so mutations reach the answers' checks; its nonce
/// (hence the document's id) comes from the input, one of 4096, so the
/// store keeps at most 4096 such documents however long the run.
pub fn citizen_form(data: &[u8]) {
    use std::hash::{Hash, Hasher};
    let h = http();
    let _guard = server().lock().unwrap_or_else(|p| p.into_inner());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut hasher);
    let nonce = format!("{:016x}", hasher.finish() % 4096);
    let token = h.form_token(chrono::Utc::now().timestamp() - 60, &nonce);
    let mut body = Vec::with_capacity(data.len());
    let mut rest = data;
    while let Some(at) = rest.windows(TOKEN_MARK.len()).position(|w| w == TOKEN_MARK) {
        let (before, after) = rest.split_at(at);
        body.extend_from_slice(before);
        body.extend_from_slice(token.as_bytes());
        rest = after.get(TOKEN_MARK.len()..).unwrap_or_default();
    }
    body.extend_from_slice(rest);
    h.post(&format!("/umpan-balik/{TENANT}/u1"), "application/x-www-form-urlencoded", body);
}

/// A zstd frame of `blocks` RLE blocks of 128 KiB zeros, declaring a
/// window of `2^window_log` bytes (10 to 27 in whole powers here): 4 bytes
/// per block on the wire, `blocks × 128 KiB` once decompressed.
pub fn zstd_bomb(blocks: usize, window_log: u8) -> Vec<u8> {
    const BLOCK: u32 = 128 << 10;
    // Magic; frame header descriptor 0 (no content size, no checksum, no
    // dictionary, not single-segment); window descriptor: exponent
    // `window_log - 10`, mantissa 0.
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, window_log.saturating_sub(10) << 3];
    for i in 0..blocks {
        // Block header (little-endian 24 bits): last-block bit, type 1
        // (RLE), regenerated size; then the one byte repeated.
        let header = (BLOCK << 3) | (1 << 1) | u32::from(i + 1 == blocks);
        frame.extend_from_slice(header.to_le_bytes().get(..3).unwrap_or_default());
        frame.push(0);
    }
    frame
}

/// Valid inputs of each target, to seed its corpus and to replay: a
/// bundle file and an enrollment bundle, an appraisal document, a sync
/// request pushing it (as is and zstd-compressed), requests the
/// request-level checks refuse, enroll and login bodies,
/// citizen form posts, a roster CSV.
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
        out.push(("sync_request", message.clone()));
        if let Ok(framed) = zstd::encode_all(message.as_slice(), 3) {
            out.push(("sync_request", framed));
        }
        let env = bundle::Envelope::new(bundle::BundleKind::Push, TENANT, "device", message);
        out.push(("bundle_file", bundle::seal(&env, &bundle::device_key("fuzz-secret"))));
        out.push(("bundle_file", protocol::encode(&env)));
    }
    // A request each of the request-level checks refuses: another protocol
    // version, a fetch id of 3 bytes.
    let refused = [
        SyncRequest { v: protocol::PROTOCOL_VERSION + 1, ..SyncRequest::default() },
        SyncRequest { v: protocol::PROTOCOL_VERSION, fetch: vec![vec![1u8, 2, 3].into()], ..SyncRequest::default() },
    ];
    out.extend(refused.iter().map(|r| ("sync_request", protocol::encode(r))));
    // A zstd bomb (`zstd_bomb`) is no seed: each execution of one inflates
    // 64 MiB, six times slower than the rest. It is kept in
    // fuzz/regressions/sync_request/ and tests/tests/sync_zstd_bomb.rs.
    let uuid = "6f1c2a4e-8b3d-4f5a-9c7e-2d1b0a9f8e7d";
    for body in [
        format!(r#"{{"code":"ABCD-EFGH-JKLM","device_id":"{uuid}"}}"#),
        format!(r#"{{"code":"abcd efgh jklm","device_id":"{{{}}}"}}"#, uuid.to_uppercase()),
        r#"{"code":"ABCD-EFGH-JKLM","device_id":"00000000-0000-0000-0000-000000000000"}"#.to_string(),
        r#"{"code":"ABCD-EFGH-JKLM","device_id":"bukan-uuid","extra":2.0}"#.to_string(),
    ] {
        out.push(("enroll_body", body.into_bytes()));
    }
    out.push((
        "login_body",
        format!(r#"{{"tenant":"{TENANT}","username":"{HR_USER}","password":"{WRONG_PASSWORD}"}}"#).into_bytes(),
    ));
    out.push(("login_body", format!("tenant={TENANT}&username={HR_USER}&password={WRONG_PASSWORD}").into_bytes()));
    out.push(("login_body", format!("tenant={TENANT}&username=tidak-ada&password=x%20y").into_bytes()));
    let answers = "situs_web=&layanan=&layanan_lain=Perekaman+KTP-el&u1=4&u2=3&u3=3&u4=4&u5=3&u6=4&u7=4&u8=2&u9=3\
                   &menit=15&komentar=Cepat+dan+ramah";
    out.push(("citizen_form", format!("token=$TOKEN&{answers}&petugas={STAFF}").into_bytes()));
    out.push(("citizen_form", format!("token=$TOKEN&{answers}").replace("u4=4", "u4=7").into_bytes()));
    out.push(("citizen_form", format!("token=1.0123456789abcdef.00&{answers}").into_bytes()));
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
        "sync_request" => sync_request,
        "enroll_body" => enroll_body,
        "login_body" => login_body,
        "citizen_form" => citizen_form,
        _ => return None,
    })
}

/// Every target's name.
pub const TARGETS: [&str; 8] = [
    "bundle_file",
    "documents",
    "push_path",
    "csv_import",
    "sync_request",
    "enroll_body",
    "login_body",
    "citizen_form",
];
