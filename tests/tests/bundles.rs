//! Sync with no network at all: a tablet's bundle file carried to BKPSDM on
//! a USB stick, imported on the devices page (or with `prestasi-server
//! bundle import`) through the checks of a sync, and the receipt carried
//! back; HR's scope bundle for a tablet that has not synced; and every bad
//! file refused with nothing stored.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::path::Path;

use base64::Engine;
use prestasi_core::model::{Appraisal, AppraisalStatus, DocId, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::sync::SyncError;
use prestasi_core::sync::bundle::{BundleError, BundleKind};
use prestasi_e2e::{Device, HR_PASSWORD, Hr, LHOKSEUMAWE, MANOKWARI, World};

const PERIOD: &str = "2026-S1";

/// `n` appraisals of unit A's staff written on `tablet`, offline; the
/// first one submitted.
fn appraise(w: &World, tablet: &Device, n: usize) -> Vec<DocId> {
    let p = &w.people;
    let author = tablet.author();
    (0..n)
        .map(|i| {
            let staff = Nip::parse(&p.staff_a[i]).unwrap();
            let id = DocId::for_appraisal(&staff, PERIOD);
            let mut a = Appraisal::new(staff, PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
            if i == 0 {
                a.targets.push(SkpTarget::new("Laporan layanan", 4.0, "dokumen", true).unwrap());
                a.hasil_kerja = Some(Rating::SesuaiEkspektasi);
                a.perilaku = Some(Rating::SesuaiEkspektasi);
                a.status = AppraisalStatus::Submitted;
            }
            tablet.store.create(id, &a, &author).unwrap();
            id
        })
        .collect()
}

/// An HR officer on the web pages of `tenant`: client, session cookie, CSRF token.
struct Web {
    url: String,
    http: reqwest::blocking::Client,
    cookie: String,
    csrf: String,
}

impl Web {
    fn login(url: &str, tenant: &str) -> Self {
        let http = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let res = http
            .post(format!("{url}/masuk"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("tenant={tenant}&username=hr&password={HR_PASSWORD}"))
            .send()
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let page = http.get(format!("{url}/hr/perangkat")).header("cookie", &cookie).send().unwrap().text().unwrap();
        assert!(page.contains("Sinkronisasi dengan berkas"), "the devices page offers the upload");
        let csrf = page.split(r#"name="csrf" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
        Self { url: url.into(), http, cookie, csrf }
    }

    /// Upload a bundle file on the devices page: status and page.
    fn upload(&self, file: Vec<u8>) -> (u16, String) {
        let form = reqwest::blocking::multipart::Form::new()
            .text("csrf", self.csrf.clone())
            .part("paket", reqwest::blocking::multipart::Part::bytes(file).file_name("paket.prst"));
        let res = self
            .http
            .post(format!("{}/hr/perangkat/paket", self.url))
            .header("cookie", &self.cookie)
            .multipart(form)
            .send()
            .unwrap();
        (res.status().as_u16(), res.text().unwrap())
    }

    /// The receipt offered on an accepted upload's page.
    fn receipt(page: &str) -> Vec<u8> {
        let b64 = page.split("data:application/octet-stream;base64,").nth(1).unwrap().split('"').next().unwrap();
        base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
    }

    fn scope_bundle(&self, device: &str) -> Vec<u8> {
        let res = self
            .http
            .get(format!("{}/hr/perangkat/{device}/paket", self.url))
            .header("cookie", &self.cookie)
            .send()
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        res.bytes().unwrap().to_vec()
    }
}

fn appraisal_count(hr: &Hr) -> usize {
    hr.get(&format!("/v1/hr/appraisals?period={PERIOD}"))["appraisals"].as_array().unwrap().len()
}

fn export(tablet: &Device, dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    tablet.client.export_bundle(&path).unwrap();
    std::fs::read(path).unwrap()
}

fn import(
    tablet: &Device,
    dir: &Path,
    name: &str,
    file: &[u8],
) -> Result<prestasi_core::sync::BundleImport, SyncError> {
    let path = dir.join(name);
    std::fs::write(&path, file).unwrap();
    tablet.client.import_bundle(&path)
}

#[test]
fn a_tablet_syncs_through_a_usb_stick_and_back() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let tablet = w.supervisor_a();
    let ids = appraise(&w, &tablet, 3);
    assert_eq!(tablet.store.unsynced_count().unwrap(), 3);

    let out = tablet.client.export_bundle(&w.dir().join("paket.prst")).unwrap();
    assert_eq!((out.documents, out.remaining), (3, 0));
    let file = std::fs::read(w.dir().join("paket.prst")).unwrap();
    assert!(!w.dir().join("paket.part").exists(), "written whole, no leftover");

    let web = Web::login(&w.server.url, MANOKWARI);
    let (status, page) = web.upload(file.clone());
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("3 dokumen diterima"), "{page}");
    assert_eq!(appraisal_count(&hr), 3, "the bundle's appraisals are on the server");
    let submitted = hr.get(&format!("/v1/hr/appraisals/{}", ids[0]));
    assert_eq!(submitted["appraisal"]["status"], "submitted", "{submitted}");

    // The same stick plugged in twice: stored once.
    let (status, again) = web.upload(file);
    assert_eq!(status, 200);
    assert!(again.contains("3 dokumen diterima"), "{again}");
    assert_eq!(appraisal_count(&hr), 3);

    // Back on the tablet: acknowledged, nothing left to send.
    let done = import(&tablet, w.dir(), "tanda-terima.prst", &Web::receipt(&page)).unwrap();
    assert_eq!((done.kind, done.accepted, done.already_imported), (BundleKind::Receipt, 3, false));
    assert_eq!(tablet.store.unsynced_count().unwrap(), 0);
    let twice = import(&tablet, w.dir(), "tanda-terima-2.prst", &Web::receipt(&again)).unwrap();
    assert!(twice.already_imported, "the second receipt of the same bundle records nothing");

    // Edits after the export stay pending; the next sync sends only those.
    tablet
        .store
        .update::<Appraisal>(ids[1], &tablet.author(), |a| {
            a.notes = "Catatan baru".into();
            Ok(())
        })
        .unwrap();
    let report = tablet.client.sync_now().unwrap();
    assert_eq!((report.pushed, report.accepted, report.rejected), (1, 1, 0));
}

#[test]
fn the_command_line_imports_a_bundle_and_writes_the_receipt() {
    // The command line finds the database by --data-dir: the embedded one.
    // The PostgreSQL pass of the suite keeps each test's data in a schema of
    // its own, which no command-line flag names; the bundle commands run the
    // same functions as the web page and the API, tested on both passes.
    if std::env::var(prestasi_e2e::E2E_DATABASE_ENV).is_ok_and(|u| !u.is_empty()) {
        eprintln!("SKIPPED on the PostgreSQL pass: runs on the SQLite pass");
        return;
    }
    let w = World::start();
    let tablet = w.supervisor_a();
    appraise(&w, &tablet, 2);
    let bundle = w.dir().join("dari-tablet.prst");
    tablet.client.export_bundle(&bundle).unwrap();
    let receipt = w.dir().join("tanda-terima.prst");
    cli(w.dir(), &["bundle", "import", bundle.to_str().unwrap(), "--receipt", receipt.to_str().unwrap()]);
    let done = tablet.client.import_bundle(&receipt).unwrap();
    assert_eq!((done.accepted, done.rejected), (2, 0));
    assert_eq!(tablet.store.unsynced_count().unwrap(), 0);

    // A scope bundle on the command line, for a second tablet of unit A.
    let second = w.supervisor_a();
    let scope = w.dir().join("cakupan.prst");
    let device = second.client.credentials().device_id.clone();
    cli(w.dir(), &["bundle", "export", "--device", &device, "--out", scope.to_str().unwrap()]);
    let got = second.client.import_bundle(&scope).unwrap();
    assert_eq!(got.kind, BundleKind::Scope);
    assert!(got.pulled >= 2 + 4, "two appraisals and unit A's roster: {got:?}");
}

/// `prestasi-server --data-dir <dir>/server ARGS…`, in this process, on the
/// running server's database.
fn cli(dir: &Path, args: &[&str]) {
    use clap::Parser;
    let data = dir.join("server");
    let mut argv = vec!["prestasi-server", "--data-dir", data.to_str().unwrap()];
    argv.extend_from_slice(args);
    let cli = prestasi_server::cli::Cli::try_parse_from(argv).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(prestasi_server::cli::run(cli)).unwrap();
}

#[test]
fn a_tablet_that_never_synced_gets_its_unit_from_a_scope_bundle() {
    let w = World::start();
    // Another tablet of unit A synced its appraisals online.
    let online = w.supervisor_a();
    let ids = appraise(&w, &online, 2);
    online.client.sync_now().unwrap();

    let fresh = w.supervisor_a();
    assert!(fresh.store.my_staff(&w.people.boss_a, PERIOD).unwrap().is_empty(), "nothing before the bundle");
    let web = Web::login(&w.server.url, MANOKWARI);
    let file = web.scope_bundle(&fresh.client.credentials().device_id);
    let got = import(&fresh, w.dir(), "paket.prst", &file).unwrap();
    assert_eq!(got.kind, BundleKind::Scope);
    assert_eq!(fresh.store.my_staff(&w.people.boss_a, PERIOD).unwrap().len(), 3, "unit A's roster");
    assert_eq!(fresh.store.get::<Appraisal>(ids[0]).unwrap(), online.store.get::<Appraisal>(ids[0]).unwrap());
    // It then syncs online from where the bundle left it: nothing pulled twice.
    let report = fresh.client.sync_now().unwrap();
    assert_eq!(report.pulled, 0, "{report:?}");

    // Another tenant's HR cannot write it.
    let other = Web::login(&w.server.url, LHOKSEUMAWE);
    let res = other
        .http
        .get(format!("{}/hr/perangkat/{}/paket", w.server.url, fresh.client.credentials().device_id))
        .header("cookie", &other.cookie)
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

#[test]
fn bad_bundles_are_refused_with_nothing_stored() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let web = Web::login(&w.server.url, MANOKWARI);
    let tablet = w.supervisor_a();
    appraise(&w, &tablet, 2);
    let file = export(&tablet, w.dir(), "paket.prst");

    let refused = |file: Vec<u8>, web: &Web, message: &str| {
        let (status, page) = web.upload(file);
        assert_eq!(status, 422, "{page}");
        assert!(page.contains(message), "expected «{message}»: {page}");
    };
    let mut tampered = file.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    refused(tampered, &web, "telah diubah atau bukan dari perangkat ini");
    refused(file[..file.len() - 7].to_vec(), &web, "terpotong");
    refused(file[..5].to_vec(), &web, "terpotong");
    refused(b"NIP;NAMA\n1;Budi\n".to_vec(), &web, "bukan berkas paket Prestasi");
    refused(file.clone(), &Web::login(&w.server.url, LHOKSEUMAWE), "untuk instansi lain");
    assert_eq!(appraisal_count(&hr), 0, "nothing of a refused file is stored");

    // A receipt is not a push; a revoked tablet's bundle is refused.
    let (status, page) = web.upload(file.clone());
    assert_eq!(status, 200);
    let receipt = Web::receipt(&page);
    refused(receipt.clone(), &web, "bukan paket dari tablet");
    let late = w.supervisor_a();
    appraise(&w, &late, 3);
    let late_file = export(&late, w.dir(), "terlambat.prst");
    prestasi_server::admin::revoke_device(w.server.storage.as_ref(), &late.client.credentials().device_id, "hilang")
        .unwrap();
    refused(late_file, &web, "telah dicabut");
    assert_eq!(appraisal_count(&hr), 2, "only the good bundle's two");

    // On the tablet: altered, truncated, another device's, or a push.
    let before = tablet.store.unsynced_count().unwrap();
    let mut bad = receipt.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x80;
    let tablet_refuses = |file: &[u8], expected: BundleError| match import(&tablet, w.dir(), "x.prst", file) {
        Err(SyncError::Bundle(e)) => assert_eq!(e, expected),
        other => panic!("expected {expected:?}: {other:?}"),
    };
    tablet_refuses(&bad, BundleError::Tampered);
    tablet_refuses(&receipt[..receipt.len() / 3], BundleError::Truncated);
    tablet_refuses(&file, BundleError::WrongKind { expected: BundleKind::Receipt, found: BundleKind::Push });
    let other_tablet = w.supervisor_a();
    match import(&other_tablet, w.dir(), "y.prst", &receipt) {
        Err(SyncError::Bundle(BundleError::Tampered)) => {}
        other => panic!("another tablet's receipt: {other:?}"),
    }
    assert_eq!(tablet.store.unsynced_count().unwrap(), before, "nothing recorded");
    assert!(!SyncError::Bundle(BundleError::Tampered).is_retryable());
    assert!(SyncError::Bundle(BundleError::Truncated).user_message().contains("terpotong"));
}

#[test]
fn a_tablet_that_was_never_online_enrolls_from_a_file_and_its_code() {
    let w = World::start();
    let p = w.people.clone();
    let online = w.supervisor_a();
    let ids = appraise(&w, &online, 2);
    online.client.sync_now().unwrap();

    // HR issues a code and, on the same page, downloads the enrollment bundle.
    let storage = w.server.storage.as_ref();
    let issue = || {
        let units = std::slice::from_ref(&p.unit_a);
        prestasi_server::admin::issue_enrollment(
            storage,
            MANOKWARI,
            prestasi_core::model::Role::Supervisor,
            &p.boss_a,
            units,
        )
        .unwrap()
    };
    let code = issue();
    let web = Web::login(&w.server.url, MANOKWARI);
    let post_code = |web: &Web, code: &str| {
        web.http
            .post(format!("{}/hr/perangkat/paket-pendaftaran", w.server.url))
            .header("cookie", &web.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={}&code={code}", web.csrf))
            .send()
            .unwrap()
    };
    let res = post_code(&web, &code);
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("pendaftaran-"));
    let file = res.bytes().unwrap().to_vec();
    let again = post_code(&web, &code);
    assert_eq!(again.status().as_u16(), 401, "the code is spent by the bundle");

    // On the tablet, far from any network: the wrong code opens nothing.
    let path = w.dir().join("pendaftaran.prst");
    std::fs::write(&path, &file).unwrap();
    let store = std::sync::Arc::new(
        prestasi_core::store::Store::open(w.dir().join("baru.db"), &prestasi_e2e::store_key()).unwrap(),
    );
    let wrong = prestasi_core::sync::SyncClient::enroll_from_bundle(store.clone(), &path, "AAAA-BBBB-CCCC");
    assert!(matches!(wrong, Err(SyncError::Bundle(BundleError::WrongCode))), "{wrong:?}");
    let mut cut_file = file.clone();
    cut_file.truncate(file.len() - 10);
    std::fs::write(w.dir().join("terpotong.prst"), &cut_file).unwrap();
    let truncated =
        prestasi_core::sync::SyncClient::enroll_from_bundle(store.clone(), &w.dir().join("terpotong.prst"), &code);
    assert!(matches!(truncated, Err(SyncError::Bundle(BundleError::Truncated))), "{truncated:?}");
    // The right code, typed as people type it: enrolled, with the unit.
    let typed = code.to_lowercase().replace('-', " ");
    let (client, got) = prestasi_core::sync::SyncClient::enroll_from_bundle(store.clone(), &path, &typed).unwrap();
    assert_eq!(got.kind, BundleKind::Enrollment);
    assert_eq!(client.credentials().user, p.boss_a);
    assert_eq!(store.device_id().to_string(), client.credentials().device_id, "the store took the server's id");
    assert_eq!(store.my_staff(&p.boss_a, PERIOD).unwrap().len(), 3, "unit A's roster came with it");
    assert_eq!(store.get::<Appraisal>(ids[0]).unwrap(), online.store.get::<Appraisal>(ids[0]).unwrap());
    // The same file again: this tablet is enrolled now.
    let twice = prestasi_core::sync::SyncClient::enroll_from_bundle(store.clone(), &path, &code);
    assert!(matches!(twice, Err(SyncError::Bundle(BundleError::NotFresh))), "{twice:?}");

    // Work offline, then sync when a network comes: the key binds, the work lands.
    client.sign_in_enrolled(prestasi_e2e::PIN).unwrap();
    let staff = Nip::parse(&p.staff_a[2]).unwrap();
    let id = DocId::for_appraisal(&staff, "2026-S2");
    let author =
        prestasi_core::model::Author::new(p.boss_a.clone(), store.device_id(), prestasi_core::model::Role::Supervisor);
    let a = Appraisal::new(staff, "2026-S2", &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    store.create(id, &a, &author).unwrap();
    let r = client.sync_now().unwrap();
    assert_eq!((r.accepted, r.rejected), (1, 0), "{r:?}");

    // Another regency's HR cannot spend this regency's codes.
    let other_code = issue();
    let other = Web::login(&w.server.url, LHOKSEUMAWE);
    assert_eq!(post_code(&other, &other_code).status().as_u16(), 404);
}
