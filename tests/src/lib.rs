//! Shared helpers of the end-to-end tests: a real `prestasi-server` on
//! loopback (in this process, or as a child process that can be killed),
//! two tenants with employees imported from CSV, and enrolled devices.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use prestasi_core::model::Role;
use prestasi_core::store::{Store, StoreKey};
use prestasi_core::sync::SyncClient;
use prestasi_server::config::Limits;
use prestasi_server::state::AppState;
use prestasi_server::storage::Storage;
use prestasi_server::storage::postgres::PostgresStorage;
use prestasi_server::storage::sqlite::SqliteStorage;

mod balancer;
pub mod citizen;
pub mod fieldlink;
pub mod fuzzing;
pub use balancer::Balancer;

/// When set (a `postgres://` URL), every server of these tests stores in
/// PostgreSQL instead of SQLite: the README's test command runs the sync
/// and report tests once per backend.
pub const E2E_DATABASE_ENV: &str = "PRESTASI_E2E_DATABASE_URL";
/// The cluster the PostgreSQL-only tests use (scripts/pg-cluster.sh).
pub const TEST_DATABASE_ENV: &str = "PRESTASI_TEST_DATABASE_URL";

/// The storage of a server whose data lives under `dir`: SQLite there, or
/// (with [`E2E_DATABASE_ENV`]) a PostgreSQL schema of its own, named in a
/// file under `dir` so that reopening `dir` finds the same data.
pub fn open_storage(dir: &Path) -> Arc<dyn Storage> {
    match std::env::var(E2E_DATABASE_ENV) {
        Ok(url) if !url.is_empty() => open_postgres(dir, &url),
        _ => Arc::new(SqliteStorage::open(dir).unwrap()),
    }
}

/// A PostgreSQL store for `dir` (see [`open_storage`]).
pub fn open_postgres(dir: &Path, url: &str) -> Arc<dyn Storage> {
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("postgres-schema");
    let schema = match std::fs::read_to_string(&file) {
        Ok(s) => s,
        Err(_) => {
            let id = prestasi_core::model::DeviceId::random().to_string();
            let s = format!("e2e_{}", id.chars().filter(char::is_ascii_alphanumeric).collect::<String>());
            std::fs::write(&file, &s).unwrap();
            s
        }
    };
    Arc::new(PostgresStorage::open_in_schema(url, &schema).unwrap())
}

/// The PostgreSQL cluster of the tests, if there is one. Without it a
/// PostgreSQL-only test says so and passes, unless
/// `PRESTASI_REQUIRE_POSTGRES=1` (the README's test command sets it).
pub fn test_database() -> Option<String> {
    match std::env::var(TEST_DATABASE_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("PRESTASI_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "{TEST_DATABASE_ENV} is not set but PRESTASI_REQUIRE_POSTGRES=1"
            );
            eprintln!("SKIPPED: {TEST_DATABASE_ENV} is not set (start one with scripts/pg-cluster.sh)");
            None
        }
    }
}

pub const MANOKWARI: &str = "manokwari";
pub const LHOKSEUMAWE: &str = "lhokseumawe";
pub const HR_PASSWORD: &str = "kata-sandi-bkpsdm";

/// A structurally valid NIP, different for every `i` below 1,000,000.
pub fn nip(i: u32) -> String {
    format!(
        "{:04}{:02}{:02}{:04}{:02}{}{:03}",
        1970 + i % 25,
        1 + i % 12,
        1 + (i / 12) % 28,
        2000 + (i / 336) % 20,
        1 + i % 12,
        1 + i % 2,
        i % 1000
    )
}

/// The people of one tenant: unit A led by `boss_a`, unit B by `boss_b`,
/// three staff in each.
#[derive(Debug, Clone)]
pub struct People {
    pub tenant: &'static str,
    pub unit_a: String,
    pub unit_b: String,
    pub boss_a: String,
    pub boss_b: String,
    pub staff_a: Vec<String>,
    pub staff_b: Vec<String>,
}

impl People {
    pub fn of(tenant: &'static str) -> Self {
        let base = if tenant == MANOKWARI { 100 } else { 500 };
        Self {
            tenant,
            unit_a: format!("{tenant}-dukcapil"),
            unit_b: format!("{tenant}-dinkes"),
            boss_a: nip(base),
            boss_b: nip(base + 1),
            staff_a: (2..5).map(|i| nip(base + i)).collect(),
            staff_b: (5..8).map(|i| nip(base + i)).collect(),
        }
    }

    pub fn csv(&self) -> String {
        let mut out = String::from(
            "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;NIP_ATASAN\n",
        );
        let mut row = |nip: &str, name: &str, unit: &str, kind: &str, boss: &str| {
            out.push_str(&format!(
                "{nip};{name};{unit};Unit {unit};{};Pemerintah {};{kind};Staf;III/a;{boss}\n",
                self.tenant, self.tenant
            ));
        };
        row(&self.boss_a, "Kepala A", &self.unit_a, "pengawas", "");
        row(&self.boss_b, "Kepala B", &self.unit_b, "pengawas", "");
        for (i, s) in self.staff_a.iter().enumerate() {
            row(s, &format!("Staf A{i}"), &self.unit_a, "pelaksana", &self.boss_a);
        }
        for (i, s) in self.staff_b.iter().enumerate() {
            row(s, &format!("Staf B{i}"), &self.unit_b, "pelaksana", &self.boss_b);
        }
        out
    }
}

/// Create both tenants, import their people and an HR user each.
pub fn seed(storage: &dyn Storage) {
    let server = prestasi_server::state::server_identity(storage).unwrap();
    for (tenant, name) in [(MANOKWARI, "Kabupaten Manokwari"), (LHOKSEUMAWE, "Kota Lhokseumawe")] {
        prestasi_server::admin::create_tenant(storage, tenant, name).unwrap();
        let report =
            prestasi_server::admin::import_employees(storage, &server, tenant, People::of(tenant).csv().as_bytes())
                .unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        prestasi_server::admin::create_user(storage, tenant, "hr", HR_PASSWORD, Role::Hr).unwrap();
    }
}

/// A server running in this process on a loopback port.
#[derive(Debug)]
pub struct Server {
    pub url: String,
    pub storage: Arc<dyn Storage>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start(dir: &Path) -> Self {
        Self::start_on(open_storage(dir))
    }

    /// A server on `storage`, for a test that needs one backend in particular.
    pub fn start_on(storage: Arc<dyn Storage>) -> Self {
        Self::spawn(storage, None)
    }

    /// A server as `serve --metrics-listen` runs it: the API, and `GET
    /// /metrics` on a loopback listener of its own, whose URL comes second.
    pub fn start_with_metrics(dir: &Path) -> (Self, String) {
        let metrics = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", metrics.local_addr().unwrap());
        (Self::spawn(open_storage(dir), Some(metrics)), url)
    }

    fn spawn(storage: Arc<dyn Storage>, metrics: Option<TcpListener>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let public = prestasi_server::public_url::PublicUrl::parse(&url).unwrap();
        let state = AppState::new(storage.clone(), Limits::default()).unwrap().with_public(public);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let Some(metrics) = metrics else { return axum_serve(listener, state, rx).await };
                metrics.set_nonblocking(true).unwrap();
                let metrics = tokio::net::TcpListener::from_std(metrics).unwrap();
                let _ = prestasi_server::http::serve_all(listener, state, Some(metrics), async {
                    let _ = rx.await;
                })
                .await;
            });
        });
        Self { url, storage, stop: Some(tx), thread: Some(thread) }
    }
}

async fn axum_serve(listener: tokio::net::TcpListener, state: AppState, stop: tokio::sync::oneshot::Receiver<()>) {
    let app = prestasi_server::router(state);
    let _ = prestasi_server::http::serve(listener, app, async {
        let _ = stop.await;
    })
    .await;
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Environment variable that turns a test binary into a server process.
pub const CHILD_ENV: &str = "PRESTASI_E2E_SERVER";

/// Call first in a test named `child_server`: when the variable is set,
/// serve `dir` (see [`open_storage`]) on `port` until killed.
pub fn run_child_server_if_asked() {
    let Ok(spec) = std::env::var(CHILD_ENV) else { return };
    let (dir, port) = spec.rsplit_once('|').unwrap();
    let storage = open_storage(Path::new(dir));
    let state = AppState::new(storage, Limits::default()).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port.parse::<u16>().unwrap())).await.unwrap();
        axum_serve(listener, state, tokio::sync::oneshot::channel().1).await;
    });
    std::process::exit(0);
}

/// A server in a child process (the test binary re-run as `child_server`),
/// so a test can SIGKILL it.
#[derive(Debug)]
pub struct ChildServer {
    pub url: String,
    pub child: Child,
}

impl ChildServer {
    pub fn start(dir: &Path, port: u16) -> Self {
        Self::spawn(dir, port, None)
    }

    /// A server process on the PostgreSQL database `url` (its schema named
    /// under `dir`, see [`open_storage`]).
    pub fn start_on_postgres(dir: &Path, port: u16, url: &str) -> Self {
        Self::spawn(dir, port, Some(url))
    }

    fn spawn(dir: &Path, port: u16, postgres: Option<&str>) -> Self {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--exact", "child_server", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, format!("{}|{port}", dir.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(url) = postgres {
            cmd.env(E2E_DATABASE_ENV, url);
        }
        let child = cmd.spawn().unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "child server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { url, child }
    }

    pub fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A tablet or kiosk: its own store file, enrolled on the server.
#[derive(Debug)]
pub struct Device {
    pub store: Arc<Store>,
    pub client: SyncClient,
    pub path: PathBuf,
}

pub fn enroll(
    storage: &dyn Storage,
    url: &str,
    dir: &Path,
    tenant: &str,
    role: Role,
    user: &str,
    units: &[&str],
) -> Device {
    let units: Vec<String> = units.iter().map(|u| u.to_string()).collect();
    let code = prestasi_server::admin::issue_enrollment(storage, tenant, role, user, &units).unwrap();
    let path = dir.join(format!("{}.db", prestasi_core::model::DeviceId::random()));
    let store = Arc::new(Store::open(&path, &store_key()).unwrap());
    let client = SyncClient::enroll(store.clone(), url, &code).unwrap();
    // The enrolled person signs in at once; the enrollment's person code
    // binds their key at the device's first sync.
    client.sign_in_enrolled(PIN).unwrap();
    Device { store, client, path }
}

/// The PIN every test person chooses.
pub const PIN: &str = "246810";

/// The key every test device's store is encrypted under (an app keeps one
/// per install, wrapped by the Android Keystore).
pub fn store_key() -> StoreKey {
    StoreKey::from_bytes(*b"kunci-penyimpanan-uji-e2e-32byte")
}

impl Device {
    /// Signatures by the enrolled person of every change of this device in
    /// `changes` (a whole document, or changes on top of the device's copy).
    pub fn sign(
        &self,
        id: prestasi_core::model::DocId,
        changes: &[u8],
    ) -> Vec<prestasi_core::sync::protocol::ChangeSig> {
        let user = self.client.credentials().user.clone();
        // Incremental changes load on top of the device's copy.
        let mut all = self.store.export(id).unwrap_or_default();
        all.extend_from_slice(changes);
        self.store
            .sign_bytes(&user, id, &all)
            .or_else(|_| self.store.sign_bytes(&user, id, changes))
            .unwrap_or_default()
    }

    /// The author this device writes as.
    pub fn author(&self) -> prestasi_core::model::Author {
        let c = self.client.credentials();
        prestasi_core::model::Author::new(c.user.clone(), self.store.device_id(), c.role)
    }
}

/// An HR officer's login on the JSON API: an access token of 15 minutes
/// (longer than any test uses one) and the refresh token that renews it.
#[derive(Debug)]
pub struct Hr {
    pub url: String,
    pub token: String,
    /// For `POST /v1/login/refresh` ([`Hr::refresh`]).
    pub refresh_token: String,
    http: reqwest::blocking::Client,
}

impl Hr {
    /// The same session, sent to another server instance.
    pub fn on(&self, url: &str) -> Self {
        Self {
            url: url.into(),
            token: self.token.clone(),
            refresh_token: self.refresh_token.clone(),
            http: self.http.clone(),
        }
    }

    pub fn login(url: &str, tenant: &str) -> Self {
        Self::login_as(url, tenant, "hr", HR_PASSWORD)
    }

    /// Log in as `username`; panics unless the login succeeds.
    pub fn login_as(url: &str, tenant: &str, username: &str, password: &str) -> Self {
        let http = reqwest::blocking::Client::new();
        let res = http
            .post(format!("{url}/v1/login"))
            .json(&serde_json::json!({ "tenant": tenant, "username": username, "password": password }))
            .send()
            .unwrap();
        assert!(res.status().is_success(), "login of {username}: {}", res.status());
        let res: serde_json::Value = res.json().unwrap();
        Self {
            url: url.into(),
            token: res["token"].as_str().unwrap().into(),
            refresh_token: res["refresh_token"].as_str().unwrap().into(),
            http,
        }
    }

    /// Renew the access token (and the refresh token, which rotates).
    pub fn refresh(&mut self) {
        let res = self
            .http
            .post(format!("{}/v1/login/refresh", self.url))
            .json(&serde_json::json!({ "refresh_token": self.refresh_token }))
            .send()
            .unwrap();
        assert!(res.status().is_success(), "refresh: {}", res.status());
        let res: serde_json::Value = res.json().unwrap();
        self.token = res["token"].as_str().unwrap().into();
        self.refresh_token = res["refresh_token"].as_str().unwrap().into();
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
        let res = self.http.get(format!("{}{path}", self.url)).bearer_auth(&self.token).send().unwrap();
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.json().unwrap()
    }

    /// The body of a successful GET as text (CSV downloads).
    pub fn get_text(&self, path: &str) -> String {
        let res = self.http.get(format!("{}{path}", self.url)).bearer_auth(&self.token).send().unwrap();
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.text().unwrap()
    }

    /// Send `body` as JSON with `method`; the status and the JSON answer.
    pub fn send(&self, method: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = self.http.request(method, format!("{}{path}", self.url)).bearer_auth(&self.token).json(&body).send();
        let res = res.unwrap();
        (res.status().as_u16(), res.json().unwrap_or(serde_json::Value::Null))
    }
}

/// Push every document of `device` again as if never acknowledged (a lost
/// answer), through the real protocol. Returns how many were accepted.
pub fn replay_all(device: &Device) -> usize {
    use prestasi_core::sync::protocol::{self, PushDoc, PushOutcome, SyncRequest};
    let mut push = Vec::new();
    for (id, kind) in device.store.all_documents().unwrap() {
        let bytes = device.store.export(id).unwrap();
        push.push(PushDoc {
            id: protocol::id_bytes(id),
            kind: kind.as_str().into(),
            sigs: device.sign(id, &bytes),
            changes: protocol::Bytes::from(bytes),
        });
    }
    let resp = post_sync(device, &SyncRequest { v: protocol::PROTOCOL_VERSION, push, ..Default::default() });
    resp.results.iter().filter(|r| matches!(r.outcome, PushOutcome::Accepted { .. })).count()
}

/// Build a document as `device` but with HR's rights, so the device's own
/// checks do not stop it: what a tampered app could send.
pub fn craft<T: prestasi_core::doc::Record>(device: &Device, id: prestasi_core::model::DocId, value: &T) -> Vec<u8> {
    let author = prestasi_core::model::Author { role: Role::Hr, ..device.author() };
    prestasi_core::doc::Document::create(id, value, &author, chrono::Utc::now()).unwrap().save()
}

/// Push raw changes of one document through the protocol, signed by the
/// device's enrolled person (a modified app signs what it forges with its
/// own key). `changes` must load on its own (see [`Device::sign`]).
pub fn push_raw(
    device: &Device,
    id: prestasi_core::model::DocId,
    kind: prestasi_core::doc::DocKind,
    changes: Vec<u8>,
) -> prestasi_core::sync::protocol::PushOutcome {
    let sigs = device.sign(id, &changes);
    push_signed(device, id, kind, changes, sigs)
}

/// Push raw changes with the signatures given (none, forged, someone else's).
pub fn push_signed(
    device: &Device,
    id: prestasi_core::model::DocId,
    kind: prestasi_core::doc::DocKind,
    changes: Vec<u8>,
    sigs: Vec<prestasi_core::sync::protocol::ChangeSig>,
) -> prestasi_core::sync::protocol::PushOutcome {
    use prestasi_core::sync::protocol::{self, PushDoc, SyncRequest, SyncResponse};
    let push = vec![PushDoc { id: protocol::id_bytes(id), kind: kind.as_str().into(), changes: changes.into(), sigs }];
    let resp: SyncResponse = post_sync(
        device,
        &SyncRequest { v: protocol::PROTOCOL_VERSION, cursor: u64::MAX >> 1, push, ..Default::default() },
    );
    resp.results.into_iter().next().unwrap().outcome
}

/// Send one sync request as `device`, expecting success. The device's keys
/// go with it (as the real client sends them), unless the request has its own.
pub fn post_sync(
    device: &Device,
    req: &prestasi_core::sync::protocol::SyncRequest,
) -> prestasi_core::sync::protocol::SyncResponse {
    use prestasi_core::sync::protocol;
    let mut req = req.clone();
    if req.signers.is_empty() {
        req.signers = device.store.bindings().unwrap();
    }
    let creds = device.client.credentials();
    let body = zstd::encode_all(protocol::encode(&req).as_slice(), 3).unwrap();
    let res = reqwest::blocking::Client::new()
        .post(format!("{}{}", creds.server_url, protocol::SYNC_PATH))
        .bearer_auth(format!("{}.{}", creds.device_id, creds.secret))
        .header("content-encoding", "zstd")
        .body(body)
        .send()
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    protocol::decode(&res.bytes().unwrap()).unwrap()
}

/// A document as `device` writes it through its own rules.
pub fn craft_as_self<T: prestasi_core::doc::Record>(
    device: &Device,
    id: prestasi_core::model::DocId,
    value: &T,
) -> Vec<u8> {
    prestasi_core::doc::Document::create(id, value, &device.author(), chrono::Utc::now()).unwrap().save()
}

/// The usual setting of a test: a seeded server in this process, a
/// scratch directory for device stores, Manokwari's people.
#[derive(Debug)]
pub struct World {
    pub server: Server,
    pub people: People,
    dir: tempfile::TempDir,
}

impl World {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start(&dir.path().join("server"));
        seed(server.storage.as_ref());
        Self { server, people: People::of(MANOKWARI), dir }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn device(&self, tenant: &str, role: Role, user: &str, units: &[&str]) -> Device {
        enroll(self.server.storage.as_ref(), &self.server.url, self.dir.path(), tenant, role, user, units)
    }

    /// A tablet of unit A's head in Manokwari.
    pub fn supervisor_a(&self) -> Device {
        self.device(MANOKWARI, Role::Supervisor, &self.people.boss_a, &[&self.people.unit_a])
    }

    /// The same, syncing through `url` (a field link in front of the server).
    pub fn supervisor_a_at(&self, url: &str) -> Device {
        let (p, storage) = (&self.people, self.server.storage.as_ref());
        enroll(storage, url, self.dir.path(), MANOKWARI, Role::Supervisor, &p.boss_a, &[&p.unit_a])
    }
}
