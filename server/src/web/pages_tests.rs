//! Router tests of HR's report pages over generated data: every page
//! answers 200 with its tables and charts and figures computed from the
//! data set, and every form refuses a missing or wrong CSRF token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use chrono::Utc;
use prestasi_core::doc::Document;
use prestasi_core::model::{Appraisal, Author, DeviceId, DocId, Role, SkpTarget};
use prestasi_core::rules::{Nip, Rating};
use prestasi_core::sync::protocol::PushOutcome;

use super::super::tests::{form, get, login, send};
use crate::config::Limits;
use crate::generate::{Dataset, Options};
use crate::state::AppState;
use crate::storage::Storage;
use crate::storage::sqlite::SqliteStorage;
use crate::sync::Writer;

/// The small generated data set in tenant `uji`, siti logged in: the app,
/// the data, the session cookie and its CSRF token.
struct Fixture {
    app: Router,
    data: Dataset,
    storage: Arc<SqliteStorage>,
    cookie: String,
    csrf: String,
}

async fn fixture() -> Fixture {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", "kata-sandi-panjang", Role::Hr).unwrap();
    let data = crate::generate::dataset(&Options::small()).unwrap();
    crate::generate::load(storage.as_ref(), "uji", &data, &mut |_, _, _| {}).unwrap();
    let app = crate::http::router(AppState::new(storage.clone(), Limits::default()).unwrap());
    let cookie = login(&app).await;
    let csrf = crate::auth::csrf_token(cookie.split_once('=').unwrap().1);
    Fixture { app, data, storage, cookie, csrf }
}

impl Fixture {
    async fn page(&self, uri: &str) -> String {
        let (status, _, html) = send(&self.app, get(uri, Some(&self.cookie))).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
        assert!(html.contains("<table") && html.contains("<caption>"), "{uri} has a captioned table");
        html
    }

    async fn post(&self, uri: &str, body: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        send(&self.app, form(uri, body, Some(&self.cookie))).await
    }

    /// Forms without the CSRF token, or with another one, are refused.
    async fn refuses_bad_csrf(&self, uri: &str, rest: &str) {
        for body in [rest.to_string(), format!("csrf=palsu&{rest}")] {
            let (status, _, html) = self.post(uri, &body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{uri} {body}: {html}");
            assert!(html.contains("Formulir kedaluwarsa"), "{html}");
        }
    }

    fn unit_name(&self, id: &str) -> String {
        self.data.units.iter().find(|u| u.id == id).unwrap().name.clone()
    }
}

/// Text as the templates escape it.
fn html(s: &str) -> String {
    s.replace('&', "&#38;").replace('"', "&#34;").replace('\'', "&#39;").replace('<', "&#60;").replace('>', "&#62;")
}

#[tokio::test]
async fn appraisal_list_and_generated_detail() {
    let f = fixture().await;
    let (id, a) = f.data.appraisals.iter().rev().find(|(_, a)| a.period == "2026-S2" && !a.targets.is_empty()).unwrap();
    let unit = f.unit_name(&a.unit_id);
    let expected = f.data.appraisals.iter().filter(|(_, x)| x.period == "2026-S2" && x.unit_id == a.unit_id).count();
    let list = f.page(&format!("/hr/penilaian?period=2026-S2&unit={}", a.unit_id)).await;
    assert!(list.contains(&format!("{expected} penilaian")), "{list}");
    assert!(list.contains(&format!("/hr/penilaian/{id}")) && list.contains(&html(&unit)));
    let csv = format!("/v1/hr/reports/appraisals?period=2026-S2&#38;unit={}&amp;format=csv", a.unit_id);
    assert!(list.contains(&csv), "CSV link keeps the filters: {csv}");
    // The whole period by default: the newest one.
    let all = f.page("/hr/penilaian").await;
    let period_total = f.data.appraisals.iter().filter(|(_, x)| x.period == "2026-S2").count();
    assert!(all.contains(&format!("{period_total} penilaian")), "{all}");

    // Generated appraisals have no document: the merged view still shows them.
    let detail = f.page(&format!("/hr/penilaian/{id}")).await;
    assert!(detail.contains(&html(&a.targets[0].indicator)), "{detail}");
    assert!(detail.contains("tidak tersimpan di server"));
    let (status, _, _) = send(&f.app, get(&format!("/hr/penilaian/{}", DocId::new()), Some(&f.cookie))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&f.app, get("/hr/penilaian/bukan-id", Some(&f.cookie))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Two tablets of the appraiser rate one appraisal differently, offline;
/// both pushes are accepted and the merged document has a conflict.
fn conflicting_appraisal(f: &Fixture) -> DocId {
    let e = f
        .data
        .employees
        .iter()
        .find(|e| e.active && e.superior_nip.is_some() && f.data.units.iter().any(|u| u.id == e.unit_id))
        .unwrap();
    let boss: Nip = e.superior_nip.clone().unwrap();
    let id = DocId::for_appraisal(&e.nip, "2026-S2");
    for rating in [Rating::DiAtasEkspektasi, Rating::DiBawahEkspektasi] {
        let device = DeviceId::random();
        let author = Author::new(boss.as_str(), device, Role::Supervisor);
        let mut a = Appraisal::new(e.nip.clone(), "2026-S2", &e.unit_id, boss.clone()).unwrap();
        a.targets.push(SkpTarget::new("Laporan layanan", 4.0, "dokumen", true).unwrap());
        a.hasil_kerja = Some(rating);
        a.perilaku = Some(Rating::SesuaiEkspektasi);
        let bytes = Document::create(id, &a, &author, Utc::now()).unwrap().save();
        let w = Writer {
            tenant: "uji".into(),
            origin: device.to_string(),
            author,
            enrolled_user: boss.to_string(),
            units: vec![e.unit_id.clone()],
        };
        let mut outcome = None;
        f.storage
            .write(&mut |tx| {
                outcome =
                    Some(crate::sync::push_typed::<Appraisal>(tx, &w, id, &bytes, Utc::now().timestamp_millis())?);
                Ok(())
            })
            .unwrap();
        assert!(matches!(outcome, Some(PushOutcome::Accepted { .. })), "{outcome:?}");
    }
    id
}

#[tokio::test]
async fn conflict_resolution_lock_refusal_and_csrf() {
    let f = fixture().await;
    let id = conflicting_appraisal(&f);
    let page = f.page(&format!("/hr/penilaian/{id}")).await;
    assert!(page.contains(r#"name="path" value="hasil_kerja""#), "{page}");
    assert!(page.contains("Di Atas Ekspektasi") && page.contains("Di Bawah Ekspektasi"));
    assert!(page.contains("Riwayat perubahan") && page.contains("Perangkat "), "two unenrolled devices: {page}");

    for action in ["konflik", "kunci", "buka"] {
        f.refuses_bad_csrf(&format!("/hr/penilaian/{id}/{action}"), "path=hasil_kerja&pick=0").await;
    }
    // Locking waits for the conflicts to be settled: refused on the page,
    // in Indonesian, with the page still shown.
    let (status, _, html) = f.post(&format!("/hr/penilaian/{id}/kunci"), &format!("csrf={}", f.csrf)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("Tidak dapat dilakukan: Masih ada konflik terbuka") && html.contains("<table"), "{html}");
    // A pick that does not exist is refused.
    let body = format!("csrf={}&path=hasil_kerja&pick=7", f.csrf);
    let (status, _, html) = f.post(&format!("/hr/penilaian/{id}/konflik"), &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Konflik ini sudah diselesaikan"), "{html}");

    // Choosing a value settles the conflict and goes back to the page.
    let pick = if page.find("Di Bawah Ekspektasi</strong>").unwrap() < page.find("Di Atas Ekspektasi</strong>").unwrap()
    {
        0
    } else {
        1
    };
    let body = format!("csrf={}&path=hasil_kerja&pick={pick}", f.csrf);
    let (status, headers, html) = f.post(&format!("/hr/penilaian/{id}/konflik"), &body).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let back = headers[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(back, format!("/hr/penilaian/{id}?pesan=konflik"));
    let page = f.page(&back).await;
    assert!(page.contains("Konflik diselesaikan") && page.contains("Tidak ada konflik terbuka"), "{page}");
    assert!(page.contains("Server BKPSDM") && page.contains("<td>siti</td>"), "HR's change is in the history");
    assert!(page.contains("Hasil kerja</th><td>Di Bawah Ekspektasi"), "{page}");

    // Settled, it locks; locked, it reopens as a draft.
    for (action, shown) in [("kunci", "Penilaian dikunci."), ("buka", "dibuka kembali sebagai draf")] {
        let (status, headers, html) =
            f.post(&format!("/hr/penilaian/{id}/{action}"), &format!("csrf={}", f.csrf)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let page = f.page(headers[header::LOCATION].to_str().unwrap()).await;
        assert!(page.contains(shown), "{page}");
    }
    let page = f.page(&format!("/hr/penilaian/{id}")).await;
    assert!(page.contains("Status</th><td>Draf") && page.contains("Kunci penilaian"), "{page}");
}

#[tokio::test]
async fn calibration_page() {
    let f = fixture().await;
    let html_page = f.page("/hr/kalibrasi?period=2025-S2").await;
    assert!(html_page.contains("<svg") && html_page.contains("Sebaran predikat"));
    for u in &f.data.units {
        assert!(html_page.contains(&html(&u.name)), "{} on the page", u.name);
    }
    assert!(html_page.contains("z ≥ 2.0") && html_page.contains("n ≥ 5"), "the statistic is stated");
    assert!(
        html_page.contains("Terlalu longgar") || html_page.contains("Terlalu ketat"),
        "generated data has flagged raters"
    );
    assert!(html_page.contains("/v1/hr/reports/appraisers?period=2025-S2&amp;format=csv"), "{html_page}");
}
