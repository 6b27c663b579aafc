//! Router tests of HR's report pages over a small seeded regency
//! (`pages_fixture.rs`, stored through the bulk write path): every page
//! answers 200 with its tables and charts and figures computed from the
//! data set, and every form refuses a missing or wrong CSRF token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use chrono::{Datelike, Utc};
use prestasi_core::doc::Document;
use prestasi_core::model::{Appraisal, AppraisalStatus, Author, DeviceId, DocId, Period, Role, SkpTarget};
use prestasi_core::rules::development::REQUIRED_MINUTES_PER_YEAR;
use prestasi_core::rules::{Nip, Predikat, Rating};
use prestasi_core::sync::protocol::PushOutcome;

use super::super::tests::{form, get, login, send};
use crate::config::Limits;
use crate::state::AppState;
use crate::storage::Storage;
use crate::storage::sqlite::SqliteStorage;
use crate::sync::Writer;

#[path = "pages_fixture.rs"]
mod fixture;

/// The small seeded data set in tenant `uji`, siti logged in: the app,
/// the data, the session cookie and its CSRF token.
struct Fixture {
    app: Router,
    data: fixture::Data,
    storage: Arc<SqliteStorage>,
    cookie: String,
    csrf: String,
}

async fn fixture() -> Fixture {
    let storage = Arc::new(SqliteStorage::in_memory().unwrap());
    crate::admin::create_tenant(storage.as_ref(), "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_user(storage.as_ref(), "uji", "siti", "kata-sandi-panjang", Role::Hr).unwrap();
    let data = fixture::data();
    fixture::load(storage.as_ref(), "uji", &data);
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
async fn appraisal_list_and_seeded_detail() {
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

    // A seeded appraisal is a document like any other: its content, its
    // history (HR's record of it, signed by the server) and HR's actions.
    let detail = f.page(&format!("/hr/penilaian/{id}")).await;
    assert!(detail.contains(&html(&a.targets[0].indicator)), "{detail}");
    assert!(detail.contains("Riwayat perubahan") && detail.contains("Server BKPSDM"), "{detail}");
    assert!(detail.contains(&format!("<td>{}</td>", fixture::OFFICER)), "the seeding officer is named: {detail}");
    assert!(detail.contains("/kunci\"") || detail.contains("/buka\""), "HR may lock or reopen it: {detail}");
    let (status, _, _) = send(&f.app, get(&format!("/hr/penilaian/{}", DocId::new()), Some(&f.cookie))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&f.app, get("/hr/penilaian/bukan-id", Some(&f.cookie))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Two tablets of the appraiser rate one appraisal differently, offline;
/// both pushes are accepted and the merged document has a conflict. The
/// appraisal is the one of the employee not yet appraised in 2026-S2.
fn conflicting_appraisal(f: &Fixture) -> DocId {
    let e = f
        .data
        .employees
        .iter()
        .find(|e| {
            e.active
                && e.superior_nip.is_some()
                && !f.data.appraisals.iter().any(|(_, a)| a.employee_nip == e.nip && a.period == "2026-S2")
        })
        .unwrap();
    let boss: Nip = e.superior_nip.clone().unwrap();
    // The roster's reviewer: the appraiser's own superior.
    let reviewer = f.data.employees.iter().find(|x| x.nip == boss).unwrap().superior_nip.clone();
    let id = DocId::for_appraisal(&e.nip, "2026-S2");
    for rating in [Rating::DiAtasEkspektasi, Rating::DiBawahEkspektasi] {
        let device = DeviceId::random();
        let author = Author::new(boss.as_str(), device, Role::Supervisor);
        let mut a = Appraisal::new(e.nip.clone(), "2026-S2", &e.unit_id, boss.clone()).unwrap();
        a.reviewer_nip = reviewer.clone();
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
            signing_key: Some(crate::sync::bound_test_key(f.storage.as_ref(), "uji", boss.as_str(), &device)),
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
        "the fixture's lenient rater is flagged"
    );
    assert!(html_page.contains("/v1/hr/reports/appraisers?period=2025-S2&amp;format=csv"), "{html_page}");
}

/// The `<td class="n">` cells that follow the first mention of `after`.
fn numbers_after<'a>(page: &'a str, after: &str) -> Vec<&'a str> {
    let start = page.find(after).unwrap_or_else(|| panic!("{after} on the page"));
    let row = &page[start..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split(r#"<td class="n">"#).skip(1).map(|c| &c[..c.find('<').unwrap()]).collect()
}

#[tokio::test]
async fn calibration_counts_per_unit() {
    let f = fixture().await;
    let page = f.page("/hr/kalibrasi?period=2025-S2").await;
    for u in &f.data.units {
        let mut counts = [0usize; 5];
        for (_, a) in f.data.appraisals.iter().filter(|(_, a)| a.period == "2025-S2" && a.unit_id == u.id) {
            if let Some(p) = a.predikat() {
                counts[Predikat::ALL.iter().position(|x| *x == p).unwrap()] += 1;
            }
        }
        let mut expected: Vec<String> = counts.iter().map(ToString::to_string).collect();
        expected.push(counts.iter().sum::<usize>().to_string());
        assert_eq!(numbers_after(&page, &format!("<th scope=\"row\">{}<br>", html(&u.name))), expected, "{}", u.name);
    }
}

#[tokio::test]
async fn skm_page() {
    let f = fixture().await;
    let period = Period::parse("2026-S1").unwrap();
    let from = period.start.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis() - 7 * 3_600_000;
    let to = period.end.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_millis() - 7 * 3_600_000;
    let page = f.page("/hr/skm?period=2026-S1").await;
    assert!(page.contains("<svg") && page.contains("<polyline"), "waiting-time trend");
    assert!(page.contains("Belum sah") || page.contains(">Sah<"));
    assert!(page.contains(r#"<abbr title="Sarana dan prasarana">U9</abbr>"#));
    let mut seen = 0;
    for u in &f.data.units {
        let n = f.data.feedback.iter().filter(|(_, fb, at)| fb.unit_id == u.id && (from..to).contains(at)).count();
        if n == 0 {
            continue;
        }
        seen += 1;
        let cells = numbers_after(&page, &format!("<strong>{}</strong>", html(&u.name)));
        assert_eq!(cells[0], n.to_string(), "respondents of {}", u.name);
    }
    assert!(seen > 0, "the period has feedback");
    // One unit: its own chart, its rows only, the CSV links keep the unit.
    let u = &f.data.units[0];
    let one = f.page(&format!("/hr/skm?period=2026-S1&unit={}", u.id)).await;
    assert!(one.contains(&format!("Rata-rata menit menunggu per bulan: {}", html(&u.name))));
    assert_eq!(one.matches(r#"<th scope="row"><strong>"#).count(), 1, "only the chosen unit's row: {one}");
    assert!(one.contains(&format!("/v1/hr/reports/skm/waiting?period=2026-S1&#38;unit={}&amp;format=csv", u.id)));
}

#[tokio::test]
async fn rewards_page() {
    let f = fixture().await;
    let page = f.page("/hr/penghargaan?period=2026-S1").await;
    let settings = prestasi_core::rules::RuleSettings::default();
    for p in Predikat::ALL {
        let n = f
            .data
            .appraisals
            .iter()
            .filter(|(_, a)| a.period == "2026-S1" && a.status != AppraisalStatus::Draft && a.predikat() == Some(p))
            .count();
        let cells = numbers_after(&page, &format!("<th scope=\"row\">{}</th>", p.label_id()));
        assert_eq!(cells, [format!("{:.2}%", settings.allowance.percent(p)), n.to_string()], "{p:?}");
    }
    assert!(page.contains("Penghargaan per unit kerja") && page.contains("Predikat Sangat Baik"), "reasons are shown");
    assert!(page.contains("/v1/hr/reports/recognition?period=2026-S1&amp;format=csv"));
}

#[tokio::test]
async fn talent_page() {
    let f = fixture().await;
    let page = f.page("/hr/talenta?year=2026&as_of=2026-10-01").await;
    let active = f.data.employees.iter().filter(|e| e.active).count();
    let at = page.find(" pegawai ditempatkan, ").unwrap();
    let placed: usize = page[..at].rsplit("<p>").next().unwrap().parse().unwrap();
    let rest = &page[at + " pegawai ditempatkan, ".len()..];
    let excluded: usize = rest.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(placed + excluded, active, "everyone active is placed or excluded");
    assert!(placed > 0 && placed <= f.data.potentials.len());
    // The grid's boxes add up to those placed, in the regulation's layout.
    let in_boxes: usize = (1..=9)
        .map(|n| {
            let at = page.find(&format!("<title>Kotak {n}: ")).unwrap() + format!("<title>Kotak {n}: ").len();
            page[at..].split_whitespace().next().unwrap().parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(in_boxes, placed);
    let order: Vec<usize> =
        [4, 7, 9, 2, 5, 8, 1, 3, 6].iter().map(|n| page.find(&format!("<title>Kotak {n}: ")).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]));
    assert!(page.contains("Potensi belum dinilai") || excluded == 0);
    assert!(page.contains("Kenaikan pangkat per 2026-10-01") && page.contains("Angka kredit"));
    assert!(page.contains("/v1/hr/reports/promotion?year=2026&#38;as_of=2026-10-01&amp;format=csv"), "{page}");
}

#[tokio::test]
async fn competency_page_and_programme_forms() {
    let f = fixture().await;
    let mut minutes: HashMap<String, u32> = HashMap::new();
    for (_, t) in f.data.trainings.iter().filter(|(_, t)| t.end.year() == 2026) {
        *minutes.entry(t.employee_nip.to_string()).or_default() += t.minutes;
    }
    let active: Vec<_> = f.data.employees.iter().filter(|e| e.active).collect();
    let below =
        active.iter().filter(|e| minutes.get(e.nip.as_str()).copied().unwrap_or(0) < REQUIRED_MINUTES_PER_YEAR).count();
    let page = f.page("/hr/kompetensi?year=2026").await;
    assert!(page.contains(&format!("{below} dari {} pegawai aktif", active.len())), "{page}");
    assert!(page.contains("Pasangan mentoring") && page.contains("Belum ada program"));
    let pair = &f.data.mentoring[0].1;
    assert!(page.contains(pair.mentor_nip.as_str()), "mentoring pairs are listed");

    let create = "id=pelatihan-layanan&title=Pelatihan+Pelayanan+Prima&form=Pelatihan&provider=BKPSDM\
                  &start_date=2026-09-01&end_date=2026-09-02&seats=3&value=berorientasi_pelayanan&unit=&year=2026";
    f.refuses_bad_csrf("/hr/kompetensi/program", create).await;
    // A refused form comes back with its values and the reason in Indonesian.
    let (status, _, html) = f.post("/hr/kompetensi/program", &format!("csrf={}&{create}&jp=banyak", f.csrf)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("Tidak dapat disimpan:") && html.contains("isi dengan angka"), "{html}");
    assert!(html.contains(r#"value="Pelatihan Pelayanan Prima""#), "the typed values stay");
    let (status, headers, _) = f.post("/hr/kompetensi/program", &format!("csrf={}&{create}&jp=16", f.csrf)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/hr/kompetensi?year=2026&pesan=program#program");
    let page = f.page("/hr/kompetensi?year=2026&pesan=program").await;
    assert!(
        page.contains("Program disimpan.") && page.contains("Pelatihan Pelayanan Prima") && page.contains("16.00 JP")
    );
    // The same code again is refused.
    let (status, _, html) = f.post("/hr/kompetensi/program", &format!("csrf={}&{create}&jp=16", f.csrf)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("sudah ada"), "{html}");

    // Seats go to those furthest below 20 JP; attendance is recorded.
    let seats = "/hr/kompetensi/program/pelatihan-layanan/kursi";
    f.refuses_bad_csrf(seats, "year=2026").await;
    let (status, _, _) = f.post(seats, &format!("csrf={}&year=2026", f.csrf)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = f.page("/hr/kompetensi?year=2026").await;
    let listed = page.find("Urutan kursi Pelatihan Pelayanan Prima").unwrap();
    let nip_at = page[listed..].find(r#"name="nip" value=""#).unwrap() + listed + r#"name="nip" value=""#.len();
    let nip = &page[nip_at..nip_at + 18];
    let attend = "/hr/kompetensi/program/pelatihan-layanan/hadir";
    f.refuses_bad_csrf(attend, &format!("nip={nip}&year=2026")).await;
    let (status, _, html) = f.post(attend, &format!("csrf={}&nip=123&year=2026", f.csrf)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a bad NIP is refused: {html}");
    let (status, _, html) = f.post(attend, &format!("csrf={}&nip={nip}&year=2026", f.csrf)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let page = f.page("/hr/kompetensi?year=2026&pesan=hadir").await;
    assert!(page.contains("Kehadiran dicatat") && page.contains(r#"<span class="ok">Hadir</span>"#), "{page}");
    assert!(page.contains("1 hadir"));
}

#[tokio::test]
async fn every_page_says_when_there_is_no_data_yet() {
    let app = super::super::tests::app();
    let cookie = login(&app).await;
    for uri in ["/hr/penilaian", "/hr/kalibrasi", "/hr/skm", "/hr/kompetensi", "/hr/talenta", "/hr/penghargaan"] {
        let (status, _, html) = send(&app, get(uri, Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
        assert!(html.contains("Belum ada"), "{uri}: {html}");
        let (status, headers, _) = send(&app, get(uri, None)).await;
        assert_eq!((status, &headers[header::LOCATION]), (StatusCode::SEE_OTHER, &"/masuk".parse().unwrap()), "{uri}");
    }
    // A period that is no period is refused on an HTML page, in Indonesian.
    let (status, _, html) = send(&app, get("/hr/skm?period=kemarin", Some(&cookie))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<!doctype html>") && html.contains("role=\"alert\""), "{html}");
}
