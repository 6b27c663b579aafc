//! HTTPS in the server itself (`serve --tls-cert/--tls-key`), with a CA and
//! a server certificate for 127.0.0.1/localhost made at test time: a
//! device that trusts the regency's CA enrolls and syncs; one that does not
//! is offline with a TLS error and enrolls once it is given the CA; answers
//! carry HSTS; the citizens' form sees the real peer over TLS and believes
//! `X-Forwarded-For` only from a trusted proxy; and the real `serve`
//! command reloads its certificate on SIGHUP (a bad one keeps the old) and
//! stops gracefully on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use prestasi_core::model::{Channel, DocId, Feedback, Role};
use prestasi_core::rules::skm::Scores;
use prestasi_core::store::Store;
use prestasi_core::sync::{SyncClient, SyncError};
use prestasi_e2e::{MANOKWARI, PIN, People, store_key};
use prestasi_server::config::Limits;
use prestasi_server::public_url::PublicUrl;
use prestasi_server::state::AppState;
use prestasi_server::storage::Storage;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

/// A regency's own CA and the server certificate it signed.
struct Pki {
    ca: String,
    cert: String,
    key: String,
}

impl Pki {
    fn new(name: &str) -> Self {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, format!("CA uji {name}"));
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, format!("prestasi {name}"));
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = leaf.signed_by(&key, &issuer).unwrap().pem();
        Self { ca: ca_pem, cert, key: key.serialize_pem() }
    }

    /// Write the certificate and key where the server reads them.
    fn install(&self, dir: &Path) -> (PathBuf, PathBuf) {
        let (c, k) = (dir.join("server.crt"), dir.join("server.key"));
        std::fs::write(&c, &self.cert).unwrap();
        std::fs::write(&k, &self.key).unwrap();
        (c, k)
    }

    /// A plain HTTPS client that trusts this CA only (fresh: no pooled
    /// connection from before a reload).
    fn client(&self) -> reqwest::blocking::Client {
        let roots = reqwest::Certificate::from_pem_bundle(self.ca.as_bytes()).unwrap();
        reqwest::blocking::Client::builder().tls_certs_only(roots).timeout(Duration::from_secs(10)).build().unwrap()
    }
}

/// The real server in this process, over HTTPS on a loopback port.
struct TlsServer {
    url: String,
    storage: Arc<dyn Storage>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TlsServer {
    fn start(dir: &Path, pki: &Pki, public: impl FnOnce(&str) -> PublicUrl, limits: Limits) -> Self {
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let storage = prestasi_e2e::open_storage(&dir.join("data"));
        prestasi_e2e::seed(storage.as_ref());
        let (cert, key) = pki.install(dir);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let state = AppState::new(storage.clone(), limits).unwrap().with_public(public(&url).with_tls(true));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let tls = prestasi_server::tls::Tls::load(cert, key).await.unwrap();
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let stop = async {
                    let _ = rx.await;
                };
                prestasi_server::http::serve_all_tls(listener, state, None, Some(tls), stop).await.unwrap();
            });
        });
        Self { url, storage, stop: Some(tx), thread: Some(thread) }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn public_url(url: &str) -> PublicUrl {
    PublicUrl::parse(url).unwrap()
}

fn kiosk_code(storage: &dyn Storage) -> String {
    let unit = People::of(MANOKWARI).unit_a;
    prestasi_server::admin::issue_enrollment(storage, MANOKWARI, Role::Kiosk, "kios-dukcapil", &[unit]).unwrap()
}

fn new_store(dir: &Path) -> Arc<Store> {
    Arc::new(Store::open(dir.join(format!("{}.db", DocId::new())), &store_key()).unwrap())
}

fn record_feedback(client: &SyncClient) {
    let c = client.credentials();
    let fb = Feedback {
        unit_id: c.units[0].clone(),
        service: "Perekaman KTP-el".into(),
        scores: Scores::new([4, 3, 3, 4, 3, 4, 4, 3, 3]).unwrap(),
        minutes_waited: 12,
        comment: "lewat https".into(),
        channel: Channel::Kiosk,
        submitted_at: Utc::now(),
        officer_nip: None,
    };
    let author = prestasi_core::model::Author::new(c.user.clone(), client.store().device_id(), c.role);
    client.store().create(DocId::new(), &fb, &author).unwrap();
}

#[test]
fn a_device_trusting_the_regencys_ca_enrolls_and_syncs_over_https_with_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new("manokwari");
    let server = TlsServer::start(dir.path(), &pki, public_url, Limits::default());

    let store = new_store(dir.path());
    SyncClient::set_server_ca(&store, Some(&pki.ca)).unwrap();
    let client = SyncClient::enroll(store.clone(), &server.url, &kiosk_code(server.storage.as_ref())).unwrap();
    client.sign_in_enrolled(PIN).unwrap();
    record_feedback(&client);
    let r = client.sync_now().unwrap();
    assert_eq!((r.pushed, r.accepted, r.rejected), (1, 1, 0), "{r:?}");

    // The CA is kept with the enrollment: the app started again syncs too.
    drop(client);
    let client = SyncClient::from_store(store.clone()).unwrap();
    record_feedback(&client);
    assert_eq!(client.sync_now().unwrap().accepted, 1);

    // HR's API over the same HTTPS: every answer carries HSTS.
    let http = pki.client();
    let res = http
        .post(format!("{}/v1/login", server.url))
        .json(&serde_json::json!({ "tenant": MANOKWARI, "username": "hr", "password": prestasi_e2e::HR_PASSWORD }))
        .send()
        .unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
    let token = res.json::<serde_json::Value>().unwrap()["token"].as_str().unwrap().to_string();
    let res = http.get(format!("{}/v1/hr/feedback/count", server.url)).bearer_auth(&token).send().unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
    assert_eq!(res.json::<serde_json::Value>().unwrap()["count"], 2);
    let res = http.get(format!("{}/tidak-ada", server.url)).send().unwrap();
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000", "errors too");
}

#[test]
fn a_device_not_trusting_the_ca_is_offline_with_a_tls_error_until_given_it() {
    let dir = tempfile::tempdir().unwrap();
    let (pki, other) = (Pki::new("manokwari"), Pki::new("kabupaten-lain"));
    let server = TlsServer::start(dir.path(), &pki, public_url, Limits::default());
    let code = kiosk_code(server.storage.as_ref());

    // The platform's roots only, then another regency's CA: refused at the handshake.
    let store = new_store(dir.path());
    let e = SyncClient::enroll(store.clone(), &server.url, &code).unwrap_err();
    assert!(matches!(&e, SyncError::Offline(m) if m.contains("TLS") && m.contains("certificate")), "{e}");
    assert!(e.is_retryable(), "{e}");
    SyncClient::set_server_ca(&store, Some(&other.ca)).unwrap();
    let e = SyncClient::enroll(store.clone(), &server.url, &code).unwrap_err();
    assert!(matches!(&e, SyncError::Offline(m) if m.contains("certificate")), "{e}");

    // Not a certificate: refused, and the setting stays as it was.
    for bad in ["", "bukan sertifikat", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
        assert!(matches!(SyncClient::set_server_ca(&store, Some(bad)), Err(SyncError::ServerCa(_))), "{bad:?}");
    }
    assert_eq!(SyncClient::server_ca(&store).unwrap().as_deref(), Some(other.ca.as_str()));

    // Nothing reached the server: with the right CA the same code enrolls.
    SyncClient::set_server_ca(&store, Some(&pki.ca)).unwrap();
    let client = SyncClient::enroll(store.clone(), &server.url, &code).unwrap();
    client.sign_in_enrolled(PIN).unwrap();
    record_feedback(&client);
    assert_eq!(client.sync_now().unwrap().accepted, 1);

    // Back to the platform's roots: offline again, nothing lost.
    SyncClient::set_server_ca(&store, None).unwrap();
    let client = SyncClient::from_store(store.clone()).unwrap();
    record_feedback(&client);
    assert!(matches!(client.sync_now(), Err(SyncError::Offline(_))));
    assert_eq!(store.feedback_awaiting_upload().unwrap().len(), 1);
}

/// Post to the citizens' form of unit A over `http` with
/// `X-Forwarded-For: forwarded`; the status.
fn post_form(http: &reqwest::blocking::Client, url: &str, forwarded: &str) -> u16 {
    let unit = People::of(MANOKWARI).unit_a;
    let body = "token=palsu&situs_web=&layanan_lain=&u1=4&u2=3&u3=3&u4=4&u5=3&u6=4&u7=4&u8=2&u9=3&menit=15&komentar=";
    http.post(format!("{url}/umpan-balik/{MANOKWARI}/{unit}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn over_https_the_form_sees_the_peer_and_believes_x_forwarded_for_only_from_a_trusted_proxy() {
    let limits = Limits { feedback_per_client: 1, ..Limits::default() };
    let pki = Pki::new("manokwari");
    // Nobody trusted: two "clients" sent by 127.0.0.1 are one client.
    let dir = tempfile::tempdir().unwrap();
    let server = TlsServer::start(dir.path(), &pki, public_url, limits);
    let http = pki.client();
    assert_ne!(post_form(&http, &server.url, "203.0.113.1"), 429);
    assert_eq!(post_form(&http, &server.url, "203.0.113.2"), 429);
    drop(server);

    // 127.0.0.1 is the trusted proxy: each address it names counts on its own.
    let dir = tempfile::tempdir().unwrap();
    let trusted = |url: &str| public_url(url).with_trusted_proxies(["127.0.0.1".parse().unwrap()]);
    let server = TlsServer::start(dir.path(), &pki, trusted, limits);
    assert_ne!(post_form(&http, &server.url, "203.0.113.1"), 429);
    assert_ne!(post_form(&http, &server.url, "203.0.113.2"), 429);
    assert_eq!(post_form(&http, &server.url, "203.0.113.1"), 429);
}

// --- The `serve` command in a child process --------------------------------

const CLI_ENV: &str = "PRESTASI_E2E_CLI";

/// Not a test of its own: with `PRESTASI_E2E_CLI` set (the arguments, one
/// a line), this process runs `prestasi-server` with them and exits.
#[test]
fn child_cli() {
    let Ok(args) = std::env::var(CLI_ENV) else { return };
    let args: Vec<std::ffi::OsString> = args.lines().map(Into::into).collect();
    let cli = prestasi_server::config_file::parse(args).unwrap();
    prestasi_server::logging::init(prestasi_server::logging::LogFormat::Text);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let code = match rt.block_on(prestasi_server::cli::run(cli)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    };
    std::process::exit(code);
}

fn signal(child: &std::process::Child, name: &str) {
    let ok = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap();
    assert!(ok.success(), "kill -{name}");
}

/// Wait (at most 60 s: a loaded CI machine) until `done`.
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_reloads_its_certificate_on_sighup_keeps_it_when_the_new_one_is_bad_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (first, renewed) = (Pki::new("lama"), Pki::new("baru"));
    let (cert, key) = first.install(dir.path());
    let port = prestasi_e2e::free_port();
    let url = format!("https://127.0.0.1:{port}");
    let log = dir.path().join("server.log");
    let args = [
        "prestasi-server".to_string(),
        "--data-dir".into(),
        dir.path().join("data").display().to_string(),
        "serve".into(),
        "--listen".into(),
        format!("127.0.0.1:{port}"),
        "--tls-cert".into(),
        cert.display().to_string(),
        "--tls-key".into(),
        key.display().to_string(),
        "--public-url".into(),
        url.clone(),
    ];
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_cli", "--nocapture", "--test-threads=1"])
        .env(CLI_ENV, args.join("\n"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let health = |pki: &Pki| pki.client().get(format!("{url}/health")).send().is_ok_and(|r| r.status().is_success());
    let logged = |what: &str| std::fs::read_to_string(&log).unwrap_or_default().contains(what);

    eventually("the server answers over HTTPS", || health(&first));
    assert!(!health(&renewed), "another CA's client refuses the first certificate");

    // Renewed certificate and key in place, then SIGHUP: no restart needed.
    renewed.install(dir.path());
    signal(&child, "HUP");
    eventually("the renewed certificate is served", || health(&renewed));
    assert!(!health(&first), "the old certificate is no longer served");
    assert!(logged("TLS certificate reloaded"));

    // A broken renewal: the server keeps the certificate it has and says so.
    std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    signal(&child, "HUP");
    eventually("the failed reload is logged", || logged("TLS certificate not reloaded"));
    assert!(health(&renewed), "still served after a bad reload");

    // SIGTERM: a graceful stop, exit status 0.
    signal(&child, "TERM");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}: {}", std::fs::read_to_string(&log).unwrap_or_default());
    assert!(logged("prestasi-server stopped"));
}
