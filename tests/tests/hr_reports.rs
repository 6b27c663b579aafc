//! Every HR report through the real API, on realistic generated data
//! (`prestasi_devtools::generate`, `Options::small()`: 9 units, 300 employees,
//! four semesters 2025-S1 … 2026-S2, 3,000 citizen answers, trainings,
//! unit ratings, potential scores and sanctions).
//!
//! The expected figures are computed here from the generated [`Dataset`]
//! with the test's own arithmetic, written from
//! `/work/shared/domain/REFERENCE.md` (section numbers in the comments):
//! the predikat matrix is a literal table, the SKM index is computed in
//! integers, Krejcie–Morgan with f64, z-scores by hand. No function of
//! `prestasi_core::rules` is called to compute an expectation; core types
//! are only used to read the generated records.
//!
//! Where the reports make a local choice the reference leaves open (which
//! appraisal statuses count, tie-breaks, cut-offs), the test mirrors the
//! choice the server documents, and says so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate};
use prestasi_core::model::{Appraisal, AppraisalStatus, BehaviourValue, Employee, PositionKind, Role};
use prestasi_core::rules::{FunctionalLevel, Rating};
use prestasi_devtools::generate::{Dataset, Options, dataset, load};
use prestasi_e2e::{HR_PASSWORD, Hr, Server};
use serde_json::{Value, json};

use expected as x;

const TENANT: &str = "gen";

/// The test's own statement of the rules, from REFERENCE.md.
mod expected {
    use chrono::{NaiveDate, NaiveTime};
    use prestasi_core::model::{Appraisal, BehaviourValue};
    use prestasi_core::rules::Rating;

    // Predikat names as the API writes them.
    pub const SB: &str = "SangatBaik";
    pub const B: &str = "Baik";
    pub const BP: &str = "ButuhPerbaikan";
    pub const K: &str = "Kurang";
    pub const SK: &str = "SangatKurang";

    /// Column/row index of a rating in the matrix: below 0, as expected 1,
    /// above 2.
    pub fn level(r: Rating) -> usize {
        match r {
            Rating::DiBawahEkspektasi => 0,
            Rating::SesuaiEkspektasi => 1,
            Rating::DiAtasEkspektasi => 2,
        }
    }

    pub fn rating_name(r: Rating) -> &'static str {
        ["DiBawahEkspektasi", "SesuaiEkspektasi", "DiAtasEkspektasi"][level(r)]
    }

    pub fn rating_label(r: Rating) -> &'static str {
        ["Di Bawah Ekspektasi", "Sesuai Ekspektasi", "Di Atas Ekspektasi"][level(r)]
    }

    /// REFERENCE §1 predikat matrix: rows Hasil Kerja, columns Perilaku,
    /// both ordered below, as expected, above.
    const MATRIX: [[&str; 3]; 3] = [
        // Hasil Kerja Di Bawah: Sangat Kurang | Butuh Perbaikan | Butuh Perbaikan
        [SK, BP, BP],
        // Hasil Kerja Sesuai: Kurang/Misconduct | Baik | Baik
        [K, B, B],
        // Hasil Kerja Di Atas: Kurang/Misconduct | Baik | Sangat Baik
        [K, B, SB],
    ];

    /// The predikat once both overall ratings are set.
    pub fn predikat(a: &Appraisal) -> Option<&'static str> {
        Some(MATRIX[level(a.hasil_kerja?)][level(a.perilaku?)])
    }

    /// Sangat Baik 5 … Sangat Kurang 1 (the score the calibration and the
    /// 9-box performance axis use; REFERENCE §4 leaves the cut-offs local).
    pub fn score(p: &str) -> u32 {
        match p {
            SB => 5,
            B => 4,
            BP => 3,
            K => 2,
            SK => 1,
            other => panic!("unknown predikat {other}"),
        }
    }

    /// "At least Baik" (REFERENCE §5).
    pub fn at_least_baik(p: &str) -> bool {
        p == SB || p == B
    }

    /// The predikat as printed (REFERENCE §1 matrix cells).
    pub fn predikat_label(p: &str) -> &'static str {
        match p {
            SB => "Sangat Baik",
            B => "Baik",
            BP => "Butuh Perbaikan",
            K => "Kurang/Misconduct",
            SK => "Sangat Kurang",
            other => panic!("unknown predikat {other}"),
        }
    }

    /// The seven BerAKHLAK values (REFERENCE §1) in their fixed order.
    pub const VALUES: [(BehaviourValue, &str); 7] = [
        (BehaviourValue::BerorientasiPelayanan, "Berorientasi Pelayanan"),
        (BehaviourValue::Akuntabel, "Akuntabel"),
        (BehaviourValue::Kompeten, "Kompeten"),
        (BehaviourValue::Harmonis, "Harmonis"),
        (BehaviourValue::Loyal, "Loyal"),
        (BehaviourValue::Adaptif, "Adaptif"),
        (BehaviourValue::Kolaboratif, "Kolaboratif"),
    ];

    /// The tenant's default time zone: WIB, UTC+7.
    pub const OFFSET_MS: i64 = 420 * 60_000;

    /// First and last day of a semester code `YYYY-S1|S2`.
    pub fn semester(code: &str) -> (NaiveDate, NaiveDate) {
        let year: i32 = code[..4].parse().unwrap();
        match &code[5..] {
            "S1" => (NaiveDate::from_ymd_opt(year, 1, 1).unwrap(), NaiveDate::from_ymd_opt(year, 6, 30).unwrap()),
            "S2" => (NaiveDate::from_ymd_opt(year, 7, 1).unwrap(), NaiveDate::from_ymd_opt(year, 12, 31).unwrap()),
            other => panic!("not a semester: {other}"),
        }
    }

    /// Midnight at the start of a local (WIB) day, in UTC ms.
    pub fn local_midnight_ms(d: NaiveDate) -> i64 {
        d.and_time(NaiveTime::MIN).and_utc().timestamp_millis() - OFFSET_MS
    }

    /// The period's local days as a half-open `received_at` window.
    pub fn window(code: &str) -> (i64, i64) {
        let (start, end) = semester(code);
        (local_midnight_ms(start), local_midnight_ms(end.succ_opt().unwrap()))
    }

    pub fn within(t: i64, (from, to): (i64, i64)) -> bool {
        from <= t && t < to
    }

    /// REFERENCE §2: Krejcie–Morgan S = λ²·N·P·Q / (d²(N−1) + λ²·P·Q),
    /// rounded to the nearest whole number.
    pub fn krejcie_morgan(population: u64) -> u64 {
        let n = population as f64;
        let (lambda2, p, q, d) = (3.841, 0.5, 0.5, 0.05);
        let s = lambda2 * n * p * q / (d * d * (n - 1.0) + lambda2 * p * q);
        s.round() as u64
    }

    /// REFERENCE §2: unit IKM = 25 × Σ NRR / 9 = 25·S / (9n) for the sum S
    /// of every score, in hundredths rounded half up — integers only.
    pub fn unit_ikm_hundredths(total_score: u64, respondents: u64) -> u64 {
        let numerator = 2500 * total_score;
        let denominator = 9 * respondents;
        let (q, r) = (numerator / denominator, numerator % denominator);
        if 2 * r >= denominator { q + 1 } else { q }
    }

    /// REFERENCE §2 mutu table on the rounded unit IKM (hundredths).
    pub fn mutu(hundredths: u64) -> (&'static str, &'static str) {
        if hundredths >= 8831 {
            ("A", "Sangat Baik")
        } else if hundredths >= 7661 {
            ("B", "Baik")
        } else if hundredths >= 6500 {
            ("C", "Kurang Baik")
        } else {
            ("D", "Tidak Baik")
        }
    }

    /// REFERENCE §3: 1 JP = 45 minutes, 20 JP a year.
    pub const YEARLY_MINUTES: u64 = 20 * 45;

    /// JP shown with two decimals, rounded half up.
    pub fn jp(minutes: u64) -> f64 {
        let hundredths = minutes * 100;
        let (q, r) = (hundredths / 45, hundredths % 45);
        (if 2 * r >= 45 { q + 1 } else { q }) as f64 / 100.0
    }

    /// The 17 ranks in order (REFERENCE §5 promotion moves one step).
    pub const RANKS: [&str; 17] = [
        "I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b",
        "IV/c", "IV/d", "IV/e",
    ];

    pub fn rank_index(r: &str) -> usize {
        RANKS.iter().position(|x| *x == r).unwrap_or_else(|| panic!("unknown rank {r}"))
    }

    /// Whole months from `from` to `to`.
    pub fn full_months(from: NaiveDate, to: NaiveDate) -> i64 {
        use chrono::Datelike;
        let mut months =
            (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month()) - i64::from(from.month());
        if to.day() < from.day() {
            months -= 1;
        }
        months.max(0)
    }

    /// REFERENCE §4 9-box: rows performance (below, as expected, above),
    /// columns potential (Rendah, Menengah, Tinggi).
    pub const NINE_BOX: [[u8; 3]; 3] = [[1, 3, 6], [2, 5, 8], [4, 7, 9]];

    /// Local cut-offs (the reports' documented defaults): potential ≥ 80
    /// Tinggi, ≥ 60 Menengah.
    pub fn potential(score: f64) -> (usize, &'static str) {
        if score >= 80.0 {
            (2, "Tinggi")
        } else if score >= 60.0 {
            (1, "Menengah")
        } else {
            (0, "Rendah")
        }
    }

    /// Performance from the average score of the predikats: ≥ 4.5 above,
    /// ≥ 3.5 as expected (compared in integers: 2·Σ ≥ 9·n, 2·Σ ≥ 7·n).
    pub fn performance(predikats: &[&str]) -> Option<(usize, &'static str)> {
        if predikats.is_empty() {
            return None;
        }
        let sum: u32 = predikats.iter().map(|p| score(p)).sum();
        let n = predikats.len() as u32;
        Some(if 2 * sum >= 9 * n {
            (2, "DiAtasEkspektasi")
        } else if 2 * sum >= 7 * n {
            (1, "SesuaiEkspektasi")
        } else {
            (0, "DiBawahEkspektasi")
        })
    }

    /// One limit of the distribution curve (REFERENCE §1, SE MenPANRB 03/2023).
    #[derive(Debug, Clone, Copy)]
    pub enum Limit {
        AtMost(&'static [&'static str], u32),
        AtLeast(&'static [&'static str], u32),
        SomeOf(&'static [&'static str]),
    }

    /// The curve for a unit rating, as the REFERENCE table states it.
    pub fn curve(unit_rating: &str) -> Vec<Limit> {
        use Limit::*;
        match unit_rating {
            // at most 70% Sangat Baik
            "Istimewa" => vec![AtMost(&[SB], 70)],
            // at most 70% Baik; some Butuh Perbaikan and/or Kurang must exist
            "Baik" => vec![AtMost(&[B], 70), SomeOf(&[BP, K])],
            // at least 60% Butuh Perbaikan; at most 10% Sangat Baik
            "ButuhPerbaikan" => vec![AtLeast(&[BP], 60), AtMost(&[SB], 10)],
            // at least 60% Kurang; at least 10% Butuh Perbaikan; at most 10% Sangat Baik
            "Kurang" => vec![AtLeast(&[K], 60), AtLeast(&[BP], 10), AtMost(&[SB], 10)],
            // at least 60% Sangat Kurang; at least 10% Kurang and/or Butuh Perbaikan; no Sangat Baik
            "SangatKurang" => vec![AtLeast(&[SK], 60), AtLeast(&[K, BP], 10), AtMost(&[SB], 0)],
            other => panic!("unknown unit rating {other}"),
        }
    }

    /// The limits `counts` breaks, each with a fragment its text must hold.
    pub fn violations(unit_rating: &str, counts: &std::collections::HashMap<&str, u64>) -> Vec<String> {
        let total: u64 = counts.values().sum();
        if total == 0 {
            return Vec::new();
        }
        let of = |ps: &[&str]| ps.iter().map(|p| counts.get(p).copied().unwrap_or(0)).sum::<u64>();
        let percent = |c: u64| c as f64 * 100.0 / total as f64;
        curve(unit_rating)
            .into_iter()
            .filter_map(|limit| match limit {
                Limit::AtMost(ps, 0) => {
                    (of(ps) > 0).then(|| format!("tidak boleh memberi predikat|{} dari {total} pegawai", of(ps)))
                }
                Limit::AtMost(ps, max) => (percent(of(ps)) > f64::from(max))
                    .then(|| format!("paling banyak {max}%|{} dari {total} pegawai", of(ps))),
                Limit::AtLeast(ps, min) => (percent(of(ps)) < f64::from(min))
                    .then(|| format!("paling sedikit {min}%|{} dari {total} pegawai", of(ps))),
                Limit::SomeOf(ps) => (of(ps) == 0).then(|| "Harus ada pegawai".to_string()),
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Setting

/// A server with tenant `gen` holding the small generated data set, and
/// its HR officer logged in.
struct Fixture {
    hr: Hr,
    d: Dataset,
    server: Server,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let storage = server.storage.as_ref();
    prestasi_server::admin::create_tenant(storage, TENANT, "Kabupaten Uji").unwrap();
    prestasi_server::admin::create_user(storage, TENANT, "hr", HR_PASSWORD, Role::Hr).unwrap();
    let d = dataset(&Options::small()).unwrap();
    load(storage, TENANT, &d, &mut |_, _, _| {}).unwrap();
    let hr = Hr::login(&server.url, TENANT);
    Fixture { hr, d, server, _dir: dir }
}

fn rows(hr: &Hr, path: &str) -> Vec<Value> {
    let v = hr.get(path);
    v["rows"].as_array().unwrap_or_else(|| panic!("{path}: {v}")).clone()
}

fn close(got: &Value, want: f64, what: &str) {
    let g = got.as_f64().unwrap_or_else(|| panic!("{what}: not a number: {got}"));
    assert!((g - want).abs() < 1e-9, "{what}: got {g}, want {want}");
}

fn opt_close(got: &Value, want: Option<f64>, what: &str) {
    match want {
        None => assert!(got.is_null(), "{what}: got {got}, want null"),
        Some(w) => close(got, w, what),
    }
}

fn nip_of(e: &Employee) -> String {
    e.nip.as_str().to_string()
}

/// The generated appraisals of a period in the reports' order (unit, NIP).
fn appraisals_of<'a>(d: &'a Dataset, period: &str) -> Vec<(String, &'a Appraisal)> {
    let mut out: Vec<(String, &Appraisal)> =
        d.appraisals.iter().filter(|(_, a)| a.period == period).map(|(id, a)| (id.to_string(), a)).collect();
    out.sort_by(|(_, a), (_, b)| (&a.unit_id, a.employee_nip.as_str()).cmp(&(&b.unit_id, b.employee_nip.as_str())));
    out
}

fn non_draft(a: &Appraisal) -> bool {
    a.status != AppraisalStatus::Draft
}

fn year_of(code: &str) -> i32 {
    code[..4].parse().unwrap()
}

/// Citizens' answers naming each officer within the window: (count, sum of
/// all scores).
fn officer_feedback(d: &Dataset, window: (i64, i64)) -> HashMap<String, (u64, u64)> {
    let mut out: HashMap<String, (u64, u64)> = HashMap::new();
    for (_, f, at) in &d.feedback {
        if let (Some(officer), true) = (&f.officer_nip, x::within(*at, window)) {
            let e = out.entry(officer.as_str().to_string()).or_default();
            e.0 += 1;
            e.1 += f.scores.as_array().iter().map(|&s| u64::from(s)).sum::<u64>();
        }
    }
    out
}

/// Development minutes per employee of trainings ending in `year`.
fn minutes_in(d: &Dataset, year: i32) -> HashMap<String, u64> {
    let mut out: HashMap<String, u64> = HashMap::new();
    for (_, t) in &d.trainings {
        if t.end.year() == year {
            *out.entry(t.employee_nip.as_str().to_string()).or_default() += u64::from(t.minutes);
        }
    }
    out
}

/// Each employee's latest appraisal (any status) among the periods of `year`.
fn latest_in(d: &Dataset, year: i32) -> HashMap<String, &Appraisal> {
    let mut out: HashMap<String, &Appraisal> = HashMap::new();
    for (_, a) in &d.appraisals {
        if year_of(&a.period) != year {
            continue;
        }
        let nip = a.employee_nip.as_str().to_string();
        if out.get(&nip).is_none_or(|b| b.period < a.period) {
            out.insert(nip, a);
        }
    }
    out
}

/// Non-draft predikats per employee over the periods `keep` selects, oldest
/// period first (talent, promotion: a draft's predikat is not yet the
/// appraiser's decision).
fn decided_predikats(d: &Dataset, keep: impl Fn(&str) -> bool) -> HashMap<String, Vec<&'static str>> {
    let mut list: Vec<&Appraisal> = d.appraisals.iter().map(|(_, a)| a).filter(|a| keep(&a.period)).collect();
    list.sort_by(|a, b| a.period.cmp(&b.period));
    let mut out: HashMap<String, Vec<&'static str>> = HashMap::new();
    for a in list {
        if let (true, Some(p)) = (non_draft(a), x::predikat(a)) {
            out.entry(a.employee_nip.as_str().to_string()).or_default().push(p);
        }
    }
    out
}

fn active(d: &Dataset) -> impl Iterator<Item = &Employee> {
    d.employees.iter().filter(|e| e.active)
}

// ---------------------------------------------------------------------------
// 1. Completion

#[test]
fn completion_counts_staff_and_workflow_steps_per_unit_and_agency() {
    let f = fixture();
    let d = &f.d;
    for period in ["2026-S2", "2025-S1"] {
        // Rows: units grouped by agency (agency name order, then unit id),
        // each agency's total after its units.
        let mut units: BTreeMap<(String, String), [u32; 5]> = BTreeMap::new();
        let agency_of: HashMap<&str, (&str, &str)> =
            d.units.iter().map(|u| (u.id.as_str(), (u.agency_id.as_str(), u.agency_name.as_str()))).collect();
        let key = |unit: &str| (agency_of[unit].1.to_string(), unit.to_string());
        for e in active(d) {
            units.entry(key(&e.unit_id)).or_default()[0] += 1;
        }
        for (_, a) in d.appraisals.iter().filter(|(_, a)| a.period == period) {
            let c = units.entry(key(&a.unit_id)).or_default();
            c[1] += 1; // started, any status
            c[2] += u32::from(a.status != AppraisalStatus::Draft);
            c[3] += u32::from(matches!(a.status, AppraisalStatus::Reviewed | AppraisalStatus::Locked));
            c[4] += u32::from(a.status == AppraisalStatus::Locked);
        }
        let mut want: Vec<(String, String, String, [u32; 5])> = Vec::new();
        let mut total: Option<(String, [u32; 5])> = None;
        for ((_, unit), c) in &units {
            let agency = agency_of[unit.as_str()].0.to_string();
            if total.as_ref().is_some_and(|(a, _)| *a != agency) {
                let (a, t) = total.take().unwrap();
                want.push(("agency".into(), a, String::new(), t));
            }
            let t = &mut total.get_or_insert_with(|| (agency.clone(), [0; 5])).1;
            for (s, v) in t.iter_mut().zip(c) {
                *s += v;
            }
            want.push(("unit".into(), agency, unit.clone(), *c));
        }
        let (a, t) = total.unwrap();
        want.push(("agency".into(), a, String::new(), t));

        let got: Vec<(String, String, String, [u32; 5])> =
            rows(&f.hr, &format!("/v1/hr/reports/completion?period={period}"))
                .iter()
                .map(|r| {
                    let n = |k: &str| r[k].as_u64().unwrap() as u32;
                    (
                        r["level"].as_str().unwrap().to_string(),
                        r["agency_id"].as_str().unwrap().to_string(),
                        r["unit_id"].as_str().unwrap().to_string(),
                        [n("staff"), n("appraised"), n("submitted"), n("reviewed"), n("locked")],
                    )
                })
                .collect();
        assert_eq!(got, want, "{period}");
        assert_eq!(want.len(), 9 + 3);
        let agency_total: u32 = want.iter().filter(|w| w.0 == "agency").map(|w| w.3[0]).sum();
        assert_eq!(agency_total as usize, active(d).count());
        if period == "2026-S2" {
            // The period in progress: drafts, and staff not yet appraised.
            assert!(want.iter().any(|w| w.3[2] < w.3[1]), "no drafts in {period}");
            assert!(want.iter().any(|w| w.3[1] < w.3[0]), "everyone appraised in {period}");
        }
    }
}

// ---------------------------------------------------------------------------
// 2. Predikat per employee with evidence

#[test]
fn appraisal_list_shows_predikat_targets_innovations_and_officer_feedback() {
    let f = fixture();
    let d = &f.d;
    let names: HashMap<String, &str> = d.employees.iter().map(|e| (nip_of(e), e.name.as_str())).collect();
    for period in ["2026-S1", "2026-S2"] {
        let feedback = officer_feedback(d, x::window(period));
        let want = appraisals_of(d, period);
        let got = rows(&f.hr, &format!("/v1/hr/reports/appraisals?period={period}"));
        assert_eq!(got.len(), want.len(), "{period}");
        let mut with_feedback = 0;
        for ((id, a), r) in want.iter().zip(&got) {
            let nip = a.employee_nip.as_str();
            let what = format!("{period} {nip}");
            assert_eq!(r["doc_id"], id.as_str(), "{what}");
            assert_eq!(r["nip"], nip, "{what}");
            assert_eq!(r["name"], names[nip], "{what}");
            assert_eq!(r["unit_id"], a.unit_id.as_str(), "{what}");
            assert_eq!(r["appraiser_nip"], a.appraiser_nip.as_str(), "{what}");
            assert_eq!(r["status"], a.status.as_str(), "{what}");
            assert_eq!(r["hasil_kerja"], json!(a.hasil_kerja.map(x::rating_name)), "{what}");
            assert_eq!(r["perilaku"], json!(a.perilaku.map(x::rating_name)), "{what}");
            // REFERENCE §1 matrix.
            assert_eq!(r["predikat"], json!(x::predikat(a)), "{what}");
            let rated = |want: Rating| a.targets.iter().filter(|t| t.rating == Some(want)).count();
            assert_eq!(r["targets"], a.targets.len(), "{what}");
            assert_eq!(r["targets_above"], rated(Rating::DiAtasEkspektasi), "{what}");
            assert_eq!(r["targets_below"], rated(Rating::DiBawahEkspektasi), "{what}");
            assert_eq!(r["innovations"], a.innovations.len(), "{what}");
            // Mean of the nine scores over the answers naming the officer
            // in the period's local days.
            let (n, sum) = feedback.get(nip).copied().unwrap_or((0, 0));
            assert_eq!(r["feedback_count"], n, "{what}");
            opt_close(&r["feedback_average"], (n > 0).then(|| sum as f64 / 9.0 / n as f64), &what);
            with_feedback += usize::from(n > 0);
            assert_eq!(r["open_conflicts"], 0, "{what}");
        }
        assert!(with_feedback > 20, "{period}: only {with_feedback} officers with feedback");
    }
}

// ---------------------------------------------------------------------------
// 3. Distribution curve

#[test]
fn distribution_counts_predikats_and_names_each_broken_limit() {
    let f = fixture();
    let d = &f.d;
    let mut broken = 0;
    // Every appraisal with a predikat counts, drafts included (the report
    // shows the spread as it stands, also while the period is open).
    for period in ["2026-S1", "2026-S2"] {
        let mut counts: BTreeMap<&str, HashMap<&str, u64>> = BTreeMap::new();
        for (_, a) in d.appraisals.iter().filter(|(_, a)| a.period == period) {
            if let Some(p) = x::predikat(a) {
                *counts.entry(a.unit_id.as_str()).or_default().entry(p).or_default() += 1;
            }
        }
        let ratings: HashMap<&str, Option<&str>> = d
            .unit_periods
            .iter()
            .filter(|u| u.period == period)
            .map(|u| (u.unit_id.as_str(), u.rating.as_deref()))
            .collect();
        let got = rows(&f.hr, &format!("/v1/hr/reports/distribution?period={period}"));
        assert_eq!(got.len(), counts.len(), "{period}");
        for ((unit, c), r) in counts.iter().zip(&got) {
            let what = format!("{period} {unit}");
            assert_eq!(r["unit_id"], *unit, "{what}");
            let n = |p: &str| c.get(p).copied().unwrap_or(0);
            assert_eq!(r["sangat_baik"], n(x::SB), "{what}");
            assert_eq!(r["baik"], n(x::B), "{what}");
            assert_eq!(r["butuh_perbaikan"], n(x::BP), "{what}");
            assert_eq!(r["kurang"], n(x::K), "{what}");
            assert_eq!(r["sangat_kurang"], n(x::SK), "{what}");
            assert_eq!(r["total"], c.values().sum::<u64>(), "{what}");
            let rating = ratings.get(unit).copied().flatten();
            assert_eq!(r["unit_rating"], json!(rating), "{what}");
            let want = rating.map(|u| x::violations(u, c)).unwrap_or_default();
            let texts: Vec<&str> = r["violations"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            assert_eq!(texts.len(), want.len(), "{what}: {texts:?}, want {want:?} for {rating:?}");
            for (text, fragments) in texts.iter().zip(&want) {
                for fragment in fragments.split('|') {
                    assert!(text.contains(fragment), "{what}: {text:?} lacks {fragment:?}");
                }
            }
            broken += want.len();
        }
    }
    assert!(broken > 0, "the data set breaks no limit: nothing checked");
}

// ---------------------------------------------------------------------------
// 4. Appraisers against their agency's norm

#[test]
fn appraisers_get_mean_agency_norm_and_z_score() {
    let f = fixture();
    let d = &f.d;
    let agency: HashMap<&str, &str> = d.units.iter().map(|u| (u.id.as_str(), u.agency_id.as_str())).collect();
    let mut flagged = 0;
    for period in ["2026-S1", "2025-S2"] {
        // agency → (every score, appraiser → their scores)
        type Scores = (Vec<f64>, BTreeMap<String, Vec<f64>>);
        let mut agencies: BTreeMap<&str, Scores> = BTreeMap::new();
        for (_, a) in d.appraisals.iter().filter(|(_, a)| a.period == period) {
            let Some(p) = x::predikat(a) else { continue };
            let s = f64::from(x::score(p));
            let (norm, raters) = agencies.entry(agency[a.unit_id.as_str()]).or_default();
            norm.push(s);
            raters.entry(a.appraiser_nip.as_str().to_string()).or_default().push(s);
        }
        let got = rows(&f.hr, &format!("/v1/hr/reports/appraisers?period={period}"));
        let mut i = 0;
        for (agency_id, (norm, raters)) in &agencies {
            let big_n = norm.len() as f64;
            let norm_mean = norm.iter().sum::<f64>() / big_n;
            // Population standard deviation, two passes.
            let sd = (norm.iter().map(|s| (s - norm_mean).powi(2)).sum::<f64>() / big_n).sqrt();
            for (nip, scores) in raters {
                let r = &got[i];
                i += 1;
                let what = format!("{period} {agency_id} {nip}");
                assert_eq!(r["agency_id"], *agency_id, "{what}");
                assert_eq!(r["appraiser_nip"], nip.as_str(), "{what}");
                let n = scores.len() as f64;
                let mean = scores.iter().sum::<f64>() / n;
                assert_eq!(r["appraisals"], scores.len(), "{what}");
                close(&r["mean"], mean, &what);
                assert_eq!(r["agency_appraisals"], norm.len(), "{what}");
                close(&r["agency_mean"], norm_mean, &what);
                close(&r["agency_sd"], sd, &what);
                // z = (mean − norm) / (sd / √n), only from 5 appraisals and
                // with some spread; flagged at |z| ≥ 2.
                let z = (scores.len() >= 5 && sd > 1e-12).then(|| (mean - norm_mean) / (sd / n.sqrt()));
                match z {
                    None => assert!(r["z"].is_null(), "{what}: {r}"),
                    Some(z) => {
                        let got_z = r["z"].as_f64().unwrap();
                        assert!((got_z - z).abs() < 1e-6, "{what}: z {got_z}, want {z}");
                        if (z.abs() - 2.0).abs() > 1e-9 {
                            let flag = if z >= 2.0 {
                                json!("Lenient")
                            } else if z <= -2.0 {
                                json!("Severe")
                            } else {
                                Value::Null
                            };
                            assert_eq!(r["flag"], flag, "{what}: z {z}");
                        }
                    }
                }
                flagged += usize::from(!r["flag"].is_null());
            }
        }
        assert_eq!(i, got.len(), "{period}: extra rows");
    }
    assert!(flagged > 0, "no lenient or severe appraiser in the data: the flag is not exercised");
}

// ---------------------------------------------------------------------------
// 5. SKM

/// Answers summed: (respondents, sum per element, minutes waited).
#[derive(Debug, Default, Clone)]
struct Sums {
    n: u64,
    elements: [u64; 9],
    minutes: u64,
}

impl Sums {
    fn add(&mut self, scores: [u8; 9], minutes: u32) {
        self.n += 1;
        for (e, s) in self.elements.iter_mut().zip(scores) {
            *e += u64::from(s);
        }
        self.minutes += u64::from(minutes);
    }

    /// Checks one SKM row: NRR per element = sum / respondents, IKM =
    /// Σ NRR / 9, unit IKM and mutu (REFERENCE §2).
    fn check(&self, r: &Value, what: &str) {
        assert_eq!(r["respondents"], self.n, "{what}");
        let nrr: Vec<f64> = self.elements.iter().map(|&s| s as f64 / self.n as f64).collect();
        let got = r["nrr"].as_array().unwrap();
        assert_eq!(got.len(), 9, "{what}");
        for (i, (g, w)) in got.iter().zip(&nrr).enumerate() {
            close(g, *w, &format!("{what} U{}", i + 1));
        }
        close(&r["ikm"], nrr.iter().sum::<f64>() / 9.0, what);
        let hundredths = x::unit_ikm_hundredths(self.elements.iter().sum(), self.n);
        close(&r["unit_ikm"], hundredths as f64 / 100.0, what);
        let (mutu, kinerja) = x::mutu(hundredths);
        assert_eq!(r["mutu"], mutu, "{what}");
        assert_eq!(r["kinerja"], kinerja, "{what}");
        close(&r["average_minutes_waited"], self.minutes as f64 / self.n as f64, what);
    }
}

#[test]
fn krejcie_morgan_helper_matches_the_published_table() {
    // The test's own formula against REFERENCE §2's spot values.
    for (n, s) in [
        (10, 10),
        (15, 14),
        (50, 44),
        (100, 80),
        (200, 132),
        (500, 217),
        (1000, 278),
        (2000, 322),
        (5000, 357),
        (10000, 370),
        (75000, 382),
        (1_000_000, 384),
    ] {
        assert_eq!(x::krejcie_morgan(n), s, "N = {n}");
    }
    // And the unit IKM rounding at the A boundary: 88.305 → 88.31 → A.
    assert_eq!(x::mutu(8831).0, "A");
    assert_eq!(x::mutu(8830).0, "B");
}

#[test]
fn skm_per_unit_and_service_with_sample_size_waiting_trend_and_comments() {
    let f = fixture();
    let d = &f.d;
    let period = "2026-S1";
    let window = x::window(period);
    let mut units: BTreeMap<&str, (Sums, BTreeMap<&str, Sums>)> = BTreeMap::new();
    for (_, fb, _) in d.feedback.iter().filter(|(_, _, at)| x::within(*at, window)) {
        let (total, services) = units.entry(fb.unit_id.as_str()).or_default();
        total.add(fb.scores.as_array(), fb.minutes_waited);
        services.entry(fb.service.as_str()).or_default().add(fb.scores.as_array(), fb.minutes_waited);
    }
    let population: HashMap<&str, Option<u64>> =
        d.unit_periods.iter().filter(|u| u.period == period).map(|u| (u.unit_id.as_str(), u.population)).collect();

    let got = rows(&f.hr, &format!("/v1/hr/reports/skm?period={period}"));
    let mut it = got.iter();
    let (mut valid, mut not_valid) = (0, 0);
    for (unit, (total, services)) in &units {
        let r = it.next().unwrap();
        let what = format!("{period} {unit}");
        assert_eq!(r["level"], "unit", "{what}");
        assert_eq!(r["unit_id"], *unit, "{what}");
        assert_eq!(r["service"], "", "{what}");
        total.check(r, &what);
        let pop = population.get(unit).copied().flatten();
        assert_eq!(r["population"], json!(pop), "{what}");
        let min = pop.map(x::krejcie_morgan);
        assert_eq!(r["min_respondents"], json!(min), "{what}");
        // Fewer respondents than the minimum: not yet valid.
        let ok = min.is_some_and(|m| total.n > 0 && total.n >= m);
        assert_eq!(r["valid"], ok, "{what}: {} respondents, minimum {min:?}", total.n);
        if ok {
            valid += 1;
        } else {
            not_valid += 1;
        }
        for (service, s) in services {
            let r = it.next().unwrap();
            let what = format!("{what} / {service}");
            assert_eq!(r["level"], "service", "{what}");
            assert_eq!(r["unit_id"], *unit, "{what}");
            assert_eq!(r["service"], *service, "{what}");
            s.check(r, &what);
            assert!(r["valid"].is_null(), "{what}");
        }
    }
    assert!(it.next().is_none(), "extra SKM rows");
    assert!(valid > 0 && not_valid > 0, "valid {valid}, not valid {not_valid}: both cases should occur");

    // Waiting trend: the twelve months ending with the period, per unit and
    // local month.
    let trend_window = (x::local_midnight_ms(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()), window.1);
    let mut months: BTreeMap<(&str, String), (u64, u64)> = BTreeMap::new();
    for (_, fb, at) in d.feedback.iter().filter(|(_, _, at)| x::within(*at, trend_window)) {
        let local = DateTime::from_timestamp_millis(at + x::OFFSET_MS).unwrap();
        let e = months.entry((fb.unit_id.as_str(), local.format("%Y-%m").to_string())).or_default();
        e.0 += 1;
        e.1 += u64::from(fb.minutes_waited);
    }
    let got = rows(&f.hr, &format!("/v1/hr/reports/skm/waiting?period={period}"));
    assert_eq!(got.len(), months.len());
    for (((unit, month), (n, minutes)), r) in months.iter().zip(&got) {
        let what = format!("waiting {unit} {month}");
        assert_eq!(r["unit_id"], *unit, "{what}");
        assert_eq!(r["month"], month.as_str(), "{what}");
        assert_eq!(r["respondents"], *n, "{what}");
        close(&r["average_minutes"], *minutes as f64 / *n as f64, &what);
    }
    let first_months: BTreeSet<&str> = got.iter().map(|r| r["month"].as_str().unwrap()).collect();
    assert_eq!(first_months.first(), Some(&"2025-07"));
    assert_eq!(first_months.last(), Some(&"2026-06"));

    // Comments: the newest 200 non-empty ones of the period.
    let check_comments = |unit: Option<&str>| {
        let mut want: Vec<(i64, String, String)> = d
            .feedback
            .iter()
            .filter(|(_, fb, at)| {
                x::within(*at, window) && !fb.comment.is_empty() && unit.is_none_or(|u| fb.unit_id == u)
            })
            .map(|(_, fb, at)| (*at, fb.unit_id.clone(), fb.comment.clone()))
            .collect();
        want.sort_by_key(|w| std::cmp::Reverse(w.0));
        let all = want.len();
        want.truncate(200);
        let path = match unit {
            Some(u) => format!("/v1/hr/reports/skm/comments?period={period}&unit={u}"),
            None => format!("/v1/hr/reports/skm/comments?period={period}"),
        };
        let got: Vec<(i64, String, String)> = rows(&f.hr, &path)
            .iter()
            .map(|r| {
                let text = |k: &str| r[k].as_str().unwrap().to_string();
                (r["received_at"].as_i64().unwrap(), text("unit_id"), text("comment"))
            })
            .collect();
        assert_eq!(got, want, "comments of {unit:?}");
        all
    };
    assert!(check_comments(None) > 200, "fewer than 200 comments: the limit is not exercised");
    let busiest = units.iter().max_by_key(|(_, (t, _))| t.n).map(|(u, _)| *u).unwrap();
    assert!(check_comments(Some(busiest)) > 0);
}

// ---------------------------------------------------------------------------
// 6. Competency development

#[test]
fn development_minutes_jp_shortfall_and_recommendations_per_employee() {
    let f = fixture();
    let d = &f.d;
    for year in [2025, 2026] {
        let minutes = minutes_in(d, year);
        let latest = latest_in(d, year);
        let got = rows(&f.hr, &format!("/v1/hr/reports/development?year={year}"));
        let by_nip: HashMap<&str, &Value> = got.iter().map(|r| (r["nip"].as_str().unwrap(), r)).collect();
        let want: BTreeSet<String> = active(d).map(nip_of).collect();
        assert_eq!(by_nip.keys().map(|k| k.to_string()).collect::<BTreeSet<_>>(), want, "{year}");
        let mut recommended = 0;
        for e in active(d) {
            let nip = nip_of(e);
            let r = by_nip[nip.as_str()];
            let what = format!("{year} {nip}");
            let m = minutes.get(&nip).copied().unwrap_or(0);
            assert_eq!(r["minutes"], m, "{what}");
            close(&r["jp"], x::jp(m), &what);
            assert_eq!(r["required_jp"], 20, "{what}");
            close(&r["shortfall_jp"], x::jp(x::YEARLY_MINUTES.saturating_sub(m)), &what);
            assert_eq!(r["meets"], m >= x::YEARLY_MINUTES, "{what}");
            // Recommendations from the latest appraisal of the year (any
            // status): one per value rated below expectations, in value
            // order, then one per target rated below, in target order.
            let mut reasons = Vec::new();
            if let Some(a) = latest.get(&nip) {
                for (v, label) in x::VALUES {
                    if a.behaviour.get(&v) == Some(&Rating::DiBawahEkspektasi) {
                        reasons.push(format!("Perilaku {label} di bawah ekspektasi"));
                    }
                }
                for t in a.targets.iter().filter(|t| t.rating == Some(Rating::DiBawahEkspektasi)) {
                    reasons.push(format!("Target \"{}\" di bawah ekspektasi", t.indicator));
                }
            }
            let got: Vec<&str> = r["recommendations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    assert!(!x["training"].as_str().unwrap().is_empty(), "{what}");
                    x["reason"].as_str().unwrap()
                })
                .collect();
            assert_eq!(got, reasons, "{what}");
            recommended += usize::from(!reasons.is_empty());
        }
        assert!(recommended > 0, "{year}: nobody gets a recommendation");

        // below=true: exactly those under 900 minutes.
        let below: BTreeSet<String> = rows(&f.hr, &format!("/v1/hr/reports/development?year={year}&below=true"))
            .iter()
            .map(|r| r["nip"].as_str().unwrap().to_string())
            .collect();
        let want: BTreeSet<String> =
            active(d).map(nip_of).filter(|n| minutes.get(n).copied().unwrap_or(0) < x::YEARLY_MINUTES).collect();
        assert_eq!(below, want, "{year}");
        assert!(!want.is_empty() && want.len() < active(d).count(), "{year}");
    }
}

// ---------------------------------------------------------------------------
// 7. Training programmes

#[test]
fn programme_seats_go_to_the_largest_shortfall_then_the_weakest_and_attendance_credits_jp() {
    let f = fixture();
    let d = &f.d;
    let hr = &f.hr;
    let programme = json!({
        "id": "prg-uji-2026",
        "title": "Lokakarya Kompetensi Teknis",
        "form": "Workshop",
        "provider": "BKPSDM Kabupaten Uji",
        "start_date": "2026-08-03",
        "end_date": "2026-08-03",
        "jp": 8,
        "seats": 5,
        "value": "kompeten",
    });
    let (status, body) = hr.send("POST", "/v1/hr/programmes", programme.clone());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["minutes"], 8 * 45);

    // Bad input is refused.
    let mut no_seats = programme.clone();
    no_seats["id"] = json!("prg-kosong");
    no_seats["seats"] = json!(0);
    assert_eq!(hr.send("POST", "/v1/hr/programmes", no_seats).0, 422);
    let mut bad_form = programme.clone();
    bad_form["id"] = json!("prg-ceramah");
    bad_form["form"] = json!("Ceramah");
    assert_eq!(hr.send("POST", "/v1/hr/programmes", bad_form).0, 422);

    // Expected queue (REFERENCE §3: the 20 JP right first): largest 2026
    // shortfall against 900 minutes, then the Kompeten rating of the latest
    // 2026 appraisal, weakest first (below, as expected, above, none), then
    // NIP.
    let minutes = minutes_in(d, 2026);
    let latest = latest_in(d, 2026);
    let mut queue: Vec<(u64, usize, String, Option<Rating>)> = active(d)
        .map(|e| {
            let nip = nip_of(e);
            let shortfall = x::YEARLY_MINUTES.saturating_sub(minutes.get(&nip).copied().unwrap_or(0));
            let related = latest.get(&nip).and_then(|a| a.behaviour.get(&BehaviourValue::Kompeten)).copied();
            let weakness = related.map_or(3, x::level);
            (shortfall, weakness, nip, related)
        })
        .collect();
    queue.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    queue.truncate(5);

    let (status, body) = hr.send("POST", "/v1/hr/programmes/prg-uji-2026/allocate", json!({}));
    assert_eq!(status, 200, "{body}");
    let seats = body["seats"].as_array().unwrap();
    assert_eq!(seats.len(), 5, "{body}");
    for (i, (seat, (shortfall, _, nip, related))) in seats.iter().zip(&queue).enumerate() {
        assert_eq!(seat["position"], i + 1, "{body}");
        assert_eq!(seat["nip"], nip.as_str(), "seat {}: {body}", i + 1);
        assert_eq!(seat["shortfall_minutes"], *shortfall, "{body}");
        assert_eq!(seat["related"], json!(related.map(x::rating_name)), "{body}");
    }
    let listed = hr.get("/v1/hr/programmes/prg-uji-2026");
    assert_eq!(listed["seats"].as_array().unwrap().len(), 5, "{listed}");

    // Attendance of the first seat holder credits 8 JP = 360 minutes.
    let first = queue[0].2.clone();
    let development = |nip: &str| {
        rows(hr, "/v1/hr/reports/development?year=2026")
            .into_iter()
            .find(|r| r["nip"] == nip)
            .map(|r| r["minutes"].as_u64().unwrap())
            .unwrap()
    };
    let before = development(&first);
    assert_eq!(before, minutes.get(&first).copied().unwrap_or(0));
    let (status, body) = hr.send("POST", "/v1/hr/programmes/prg-uji-2026/attendance", json!({ "nip": first }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(development(&first), before + 360);
    let listed = hr.get("/v1/hr/programmes/prg-uji-2026");
    assert_eq!(listed["attended"], json!([first]), "{listed}");

    // Someone who is not an employee of the tenant.
    let stranger = (0..1000).map(prestasi_e2e::nip).find(|n| d.employees.iter().all(|e| e.nip.as_str() != n)).unwrap();
    let (status, body) = hr.send("POST", "/v1/hr/programmes/prg-uji-2026/attendance", json!({ "nip": stranger }));
    assert_eq!(status, 404, "{body}");
    let (status, _) = hr.send("POST", "/v1/hr/programmes/tidak-ada/allocate", json!({}));
    assert_eq!(status, 404);
}

// ---------------------------------------------------------------------------
// 8. Talent 9-box and succession group

#[test]
fn talent_boxes_exclusions_and_succession_candidates() {
    let f = fixture();
    let d = &f.d;
    let year = 2026;
    // Performance axis: non-draft predikats of 2025–2026 (REFERENCE §4: the
    // last 2 years).
    let history = decided_predikats(d, |p| matches!(year_of(p), 2025 | 2026));
    let potentials: HashMap<&str, f64> = d.potentials.iter().map(|p| (p.nip.as_str(), p.score)).collect();
    // Moderate or heavy sanctions decided in 2025–2026 exclude.
    let sanctioned: HashMap<&str, &str> = d
        .sanctions
        .iter()
        .filter(|s| matches!(&s.decided_on[..4], "2025" | "2026") && matches!(s.level.as_str(), "Sedang" | "Berat"))
        .map(|s| (s.nip.as_str(), s.level.as_str()))
        .collect();
    let got = rows(&f.hr, &format!("/v1/hr/reports/talent?year={year}"));
    let by_nip: HashMap<&str, &Value> = got.iter().map(|r| (r["nip"].as_str().unwrap(), r)).collect();
    assert_eq!(got.len(), active(d).count());
    let mut boxes: BTreeMap<u8, usize> = BTreeMap::new();
    let mut want_succession: BTreeSet<String> = BTreeSet::new();
    let mut no_potential = 0;
    for e in active(d) {
        let nip = nip_of(e);
        let r = by_nip[nip.as_str()];
        let what = format!("talent {nip}");
        let predikats = history.get(&nip).cloned().unwrap_or_default();
        assert_eq!(r["predikats"], json!(predikats), "{what}");
        let Some(&score) = potentials.get(nip.as_str()) else {
            assert!(r["box_number"].is_null(), "{what}");
            assert!(r["excluded"].as_str().unwrap().contains("Potensi"), "{what}: {r}");
            no_potential += 1;
            continue;
        };
        assert_eq!(r["potential_score"], score, "{what}");
        if let Some(level) = sanctioned.get(nip.as_str()) {
            assert!(r["box_number"].is_null(), "{what}");
            let why = r["excluded"].as_str().unwrap();
            assert!(why.contains("hukuman disiplin") && why.contains(&level.to_lowercase()), "{what}: {why}");
            continue;
        }
        let Some((row, performance)) = x::performance(&predikats) else {
            assert!(r["box_number"].is_null() && r["excluded"].is_string(), "{what}: {r}");
            continue;
        };
        let (column, potential) = x::potential(score);
        let number = x::NINE_BOX[row][column];
        assert_eq!(r["box_number"], number, "{what}: {predikats:?}, potential {score}");
        assert_eq!(r["performance"], performance, "{what}");
        assert_eq!(r["potential"], potential, "{what}");
        assert!(r["excluded"].is_null(), "{what}");
        // Boxes 7, 8 and 9 join the succession group (REFERENCE §4).
        let succession = r["actions"].as_array().unwrap().iter().any(|a| a == "Masuk Kelompok Rencana Suksesi");
        assert_eq!(succession, number >= 7, "{what}");
        if number >= 7 {
            want_succession.insert(nip.clone());
        }
        *boxes.entry(number).or_default() += 1;
    }
    assert!(no_potential > 0 && boxes.len() >= 5, "boxes {boxes:?}, {no_potential} without potential");

    // Succession group (REFERENCE §5): competence fit (potential ≥ Menengah),
    // 20 JP this year, 2 years of appraisals all at least Baik.
    let minutes = minutes_in(d, year);
    let got = rows(&f.hr, &format!("/v1/hr/reports/succession?year={year}"));
    let nips: BTreeSet<String> = got.iter().map(|r| r["nip"].as_str().unwrap().to_string()).collect();
    assert_eq!(nips, want_succession);
    for r in &got {
        let nip = r["nip"].as_str().unwrap();
        let m = minutes.get(nip).copied().unwrap_or(0);
        let predikats = history.get(nip).cloned().unwrap_or_default();
        let fit = x::potential(potentials[nip]).0 >= 1;
        let ok = fit && m >= x::YEARLY_MINUTES && predikats.len() >= 2 && predikats.iter().all(|p| x::at_least_baik(p));
        assert_eq!(r["jp_minutes"], m, "succession {nip}");
        assert_eq!(r["eligible"], ok, "succession {nip}: {m} minutes, {predikats:?}");
        assert_eq!(r["reasons"].as_array().unwrap().is_empty(), ok, "succession {nip}: {r}");
    }
    assert!(!got.is_empty(), "nobody in boxes 7–9");
}

// ---------------------------------------------------------------------------
// 9. Rank promotion

#[test]
fn promotion_eligibility_for_every_active_employee() {
    let f = fixture();
    let d = &f.d;
    let as_of = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    // The education ceilings are configuration: read them from the tenant.
    let settings = f.hr.get("/v1/hr/settings");
    let ceilings = &settings["promotion"]["education_ceilings"];
    // Non-draft appraisals of periods starting after 2024-12-31 and ending by
    // `as_of` (the 24 months before it).
    let history = decided_predikats(d, |p| {
        let (start, end) = x::semester(p);
        start > NaiveDate::from_ymd_opt(2024, 12, 31).unwrap() && end <= as_of
    });
    let ranks: HashMap<String, &str> = d.employees.iter().filter_map(|e| Some((nip_of(e), e.rank?.as_str()))).collect();
    let got = rows(&f.hr, "/v1/hr/reports/promotion?as_of=2026-12-31");
    let by_nip: HashMap<&str, &Value> = got.iter().map(|r| (r["nip"].as_str().unwrap(), r)).collect();
    assert_eq!(got.len(), active(d).count());
    let (mut eligible, mut checked) = (0, 0);
    for e in active(d) {
        let nip = nip_of(e);
        let r = by_nip[nip.as_str()];
        let what = format!("promotion {nip}");
        let (Some(rank), Some(since), Some(education)) = (e.rank, &e.rank_since, e.education) else {
            assert_eq!(r["eligible"], false, "{what}");
            continue;
        };
        checked += 1;
        let mut blockers = 0;
        // ≥ 4 years (48 full months) in the current rank.
        let since: NaiveDate = since.parse().unwrap();
        blockers += usize::from(x::full_months(since, as_of) < 48);
        // At least 2 appraisals, every one at least Baik (each distinct
        // predikat below Baik is one reason).
        let predikats = history.get(&nip).cloned().unwrap_or_default();
        blockers += usize::from(predikats.len() < 2);
        let below: BTreeSet<&str> = predikats.iter().copied().filter(|p| !x::at_least_baik(p)).collect();
        blockers += below.len();
        // The next rank: not above the superior's, not above the ceiling.
        let current = x::rank_index(rank.as_str());
        let target = x::RANKS.get(current + 1).copied();
        match target {
            None => blockers += 1,
            Some(target) => {
                let superior = e.superior_nip.as_ref().and_then(|s| ranks.get(s.as_str()));
                blockers += usize::from(superior.is_some_and(|s| x::rank_index(target) > x::rank_index(s)));
                let ceiling = ceilings[education.name().to_lowercase()].as_str().unwrap();
                blockers += usize::from(x::rank_index(target) > x::rank_index(ceiling));
            }
        }
        let ok = blockers == 0;
        assert_eq!(r["eligible"], ok, "{what}: {r}");
        assert_eq!(r["target_rank"], json!(if ok { target } else { None }), "{what}");
        assert_eq!(r["reasons"].as_array().unwrap().len(), blockers, "{what}: {r}");
        eligible += usize::from(ok);
    }
    assert!(checked > 250);
    assert!(eligible > 0 && eligible < checked, "{eligible} of {checked} eligible");
}

// ---------------------------------------------------------------------------
// 10. Credit points

#[test]
fn credit_points_of_functional_staff_from_the_latest_decided_predikat() {
    let f = fixture();
    let d = &f.d;
    let year = 2026;
    let settings = f.hr.get("/v1/hr/settings");
    let coefficient = |level: FunctionalLevel| {
        let key = match level {
            FunctionalLevel::Pemula => "pemula",
            FunctionalLevel::Terampil => "terampil",
            FunctionalLevel::Mahir => "mahir",
            FunctionalLevel::Penyelia => "penyelia",
            FunctionalLevel::AhliPertama => "ahli_pertama",
            FunctionalLevel::AhliMuda => "ahli_muda",
            FunctionalLevel::AhliMadya => "ahli_madya",
            FunctionalLevel::AhliUtama => "ahli_utama",
        };
        // Hundredths of a point per year.
        settings["credit"][key].as_u64().unwrap()
    };
    // The year's predikat: its latest non-draft period.
    let mut chosen: HashMap<String, (&str, &'static str)> = HashMap::new();
    for (_, a) in &d.appraisals {
        let (true, true, Some(p)) = (year_of(&a.period) == year, non_draft(a), x::predikat(a)) else { continue };
        let nip = a.employee_nip.as_str().to_string();
        if chosen.get(&nip).is_none_or(|(prev, _)| *prev < a.period.as_str()) {
            chosen.insert(nip, (a.period.as_str(), p));
        }
    }
    let got = rows(&f.hr, &format!("/v1/hr/reports/credits?year={year}"));
    let by_nip: HashMap<&str, &Value> = got.iter().map(|r| (r["nip"].as_str().unwrap(), r)).collect();
    let functional: Vec<(&Employee, FunctionalLevel)> = active(d)
        .filter_map(|e| match e.position {
            PositionKind::Fungsional(level) => Some((e, level)),
            _ => None,
        })
        .collect();
    assert_eq!(got.len(), functional.len());
    assert!(functional.len() > 30);
    for (e, level) in functional {
        let nip = nip_of(e);
        let r = by_nip[nip.as_str()];
        let what = format!("credits {nip}");
        assert_eq!(r["level"], level.name(), "{what}");
        let Some((period, predikat)) = chosen.get(&nip) else {
            assert!(r["predikat"].is_null() && r["credit_points"].is_null(), "{what}: {r}");
            continue;
        };
        assert_eq!(r["period"], *period, "{what}");
        assert_eq!(r["predikat"], *predikat, "{what}");
        // REFERENCE §5: 150/100/75/50/25 % of the yearly coefficient,
        // shown with two decimals (half up).
        let percent = match *predikat {
            x::SB => 150.0,
            x::B => 100.0,
            x::BP => 75.0,
            x::K => 50.0,
            _ => 25.0,
        };
        let points = (coefficient(level) as f64 * percent / 100.0).round() / 100.0;
        close(&r["credit_points"], points, &what);
    }
}

// ---------------------------------------------------------------------------
// 11. Performance allowance (TPP)

#[test]
fn allowances_follow_the_tenants_own_table() {
    let f = fixture();
    let d = &f.d;
    let table = json!({"sangat_baik": 100, "baik": 90, "butuh_perbaikan": 70, "kurang": 50, "sangat_kurang": 25});
    let (status, body) = f.hr.send("PUT", "/v1/hr/settings", json!({ "allowance": table }));
    assert_eq!(status, 200, "{body}");
    let percent = |p: &str| match p {
        x::SB => 100.0,
        x::B => 90.0,
        x::BP => 70.0,
        x::K => 50.0,
        _ => 25.0,
    };
    for period in ["2026-S2", "2025-S1"] {
        // Every appraisal past the draft stage with a predikat.
        let want: Vec<(String, &'static str, String)> = appraisals_of(d, period)
            .into_iter()
            .filter(|(_, a)| non_draft(a))
            .filter_map(|(_, a)| Some((a.employee_nip.as_str().to_string(), x::predikat(a)?, a.status.as_str().into())))
            .collect();
        let got = rows(&f.hr, &format!("/v1/hr/reports/allowances?period={period}"));
        assert_eq!(got.len(), want.len(), "{period}");
        for ((nip, predikat, status), r) in want.iter().zip(&got) {
            assert_eq!(r["nip"], nip.as_str(), "{period}");
            assert_eq!(r["predikat"], *predikat, "{period} {nip}");
            assert_eq!(r["status"], status.as_str(), "{period} {nip}");
            close(&r["percent"], percent(predikat), &format!("{period} {nip}"));
        }
    }
}

// ---------------------------------------------------------------------------
// 12. Public recognition

#[test]
fn recognition_names_the_top_three_of_each_unit_with_reasons() {
    let f = fixture();
    let d = &f.d;
    for period in ["2026-S1", "2025-S2"] {
        let feedback = officer_feedback(d, x::window(period));
        // Candidates: past the draft stage, predikat at least Baik.
        let mut units: BTreeMap<&str, Vec<(&Appraisal, &'static str)>> = BTreeMap::new();
        for (_, a) in d.appraisals.iter().filter(|(_, a)| a.period == period && non_draft(a)) {
            if let Some(p) = x::predikat(a).filter(|p| x::at_least_baik(p)) {
                units.entry(a.unit_id.as_str()).or_default().push((a, p));
            }
        }
        let above = |a: &Appraisal| {
            let n = a.targets.iter().filter(|t| t.rating == Some(Rating::DiAtasEkspektasi)).count() as u64;
            (n, (a.targets.len() as u64).max(1))
        };
        let fb = |a: &Appraisal| feedback.get(a.employee_nip.as_str()).copied();
        let mut want: Vec<(&str, usize, &str, &str)> = Vec::new();
        for (unit, mut list) in units {
            list.sort_by(|(a, pa), (b, pb)| {
                let ((an, ad), (bn, bd)) = (above(a), above(b));
                // Average feedback compared exactly: Sa/(9·na) vs Sb/(9·nb).
                let feedback = match (fb(a), fb(b)) {
                    (Some((na, sa)), Some((nb, sb))) => (sb * na).cmp(&(sa * nb)),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                };
                x::score(pb)
                    .cmp(&x::score(pa))
                    .then((bn * ad).cmp(&(an * bd)))
                    .then(b.innovations.len().cmp(&a.innovations.len()))
                    .then(feedback)
                    .then(a.employee_nip.as_str().cmp(b.employee_nip.as_str()))
            });
            for (rank, (a, p)) in list.into_iter().take(3).enumerate() {
                want.push((unit, rank + 1, a.employee_nip.as_str(), p));
            }
        }
        let got = rows(&f.hr, &format!("/v1/hr/reports/recognition?period={period}"));
        let got_keys: Vec<(&str, usize, &str)> = got
            .iter()
            .map(|r| (r["unit_id"].as_str().unwrap(), r["rank"].as_u64().unwrap() as usize, r["nip"].as_str().unwrap()))
            .collect();
        let want_keys: Vec<(&str, usize, &str)> = want.iter().map(|w| (w.0, w.1, w.2)).collect();
        assert_eq!(got_keys, want_keys, "{period}");
        for (w, r) in want.iter().zip(&got) {
            assert_eq!(r["reasons"][0], format!("Predikat {}", x::predikat_label(w.3)), "{period} {}", w.2);
        }
    }
}

// ---------------------------------------------------------------------------
// 13. CSV downloads

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let body = text.strip_prefix('\u{feff}').expect("CSV downloads start with a byte-order mark");
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    (headers, rows)
}

#[test]
fn ekinerja_export_and_report_csv_parse_with_their_headers() {
    let f = fixture();
    let d = &f.d;
    let period = "2026-S1";
    let (headers, csv_rows) = parse_csv(&f.hr.get_text(&format!("/v1/hr/exports/ekinerja?period={period}&format=csv")));
    assert_eq!(
        headers,
        [
            "NIP",
            "NAMA",
            "JABATAN",
            "UNIT KERJA",
            "INSTANSI",
            "PERIODE",
            "NIP PEJABAT PENILAI",
            "NAMA PEJABAT PENILAI",
            "NIP ATASAN PEJABAT PENILAI",
            "RATING HASIL KERJA",
            "RATING PERILAKU KERJA",
            "PREDIKAT KINERJA",
            "BERORIENTASI PELAYANAN",
            "AKUNTABEL",
            "KOMPETEN",
            "HARMONIS",
            "LOYAL",
            "ADAPTIF",
            "KOLABORATIF",
            "STATUS",
        ]
    );
    let want = appraisals_of(d, period);
    assert_eq!(csv_rows.len(), want.len());
    let employees: HashMap<String, &Employee> = d.employees.iter().map(|e| (nip_of(e), e)).collect();
    for ((_, a), row) in want.iter().zip(&csv_rows) {
        let nip = a.employee_nip.as_str();
        assert_eq!(row.len(), 20);
        assert_eq!(row[0], nip);
        assert_eq!(row[1], employees[nip].name);
        assert_eq!(row[2], employees[nip].position_title);
        assert_eq!(row[5], period);
        assert_eq!(row[6], a.appraiser_nip.as_str());
        assert_eq!(row[8], a.reviewer_nip.as_ref().map(|n| n.as_str()).unwrap_or(""));
        assert_eq!(row[9], a.hasil_kerja.map(x::rating_label).unwrap_or(""), "{nip}");
        assert_eq!(row[10], a.perilaku.map(x::rating_label).unwrap_or(""), "{nip}");
        assert_eq!(row[11], x::predikat(a).map(x::predikat_label).unwrap_or(""), "{nip}");
        for (i, (v, _)) in x::VALUES.iter().enumerate() {
            assert_eq!(row[12 + i], a.behaviour.get(v).copied().map(x::rating_label).unwrap_or(""), "{nip} {v:?}");
        }
        assert_eq!(row[19], a.status.as_str());
    }

    // Another report as CSV: completion, same figures as its JSON.
    let (headers, csv_rows) =
        parse_csv(&f.hr.get_text(&format!("/v1/hr/reports/completion?period={period}&format=csv")));
    assert_eq!(
        headers,
        [
            "tingkat",
            "kode_opd",
            "opd",
            "kode_unit",
            "unit_kerja",
            "pegawai",
            "dinilai",
            "diajukan",
            "direviu",
            "dikunci"
        ]
    );
    let json_rows = rows(&f.hr, &format!("/v1/hr/reports/completion?period={period}"));
    assert_eq!(csv_rows.len(), json_rows.len());
    for (c, j) in csv_rows.iter().zip(&json_rows) {
        assert_eq!(c[0], j["level"].as_str().unwrap());
        assert_eq!(c[3], j["unit_id"].as_str().unwrap());
        assert_eq!(c[5], j["staff"].to_string());
        assert_eq!(c[9], j["locked"].to_string());
    }
}

// ---------------------------------------------------------------------------
// 14. Employee import errors

#[test]
fn employee_import_reports_the_bad_line_as_json_and_csv() {
    let f = fixture();
    let good = (0..1000).map(prestasi_e2e::nip).find(|n| f.d.employees.iter().all(|e| e.nip.as_str() != n)).unwrap();
    let body = format!(
        "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;NIP_ATASAN\n\
         {good};Budi Baru;unit-uji;Unit Uji Impor;opd-uji;Instansi Uji;pelaksana;Staf;III/a;\n\
         12345;Salah Nomor;unit-uji;Unit Uji Impor;opd-uji;Instansi Uji;pelaksana;Staf;III/a;\n"
    );
    let post = |query: &str| {
        let res = reqwest::blocking::Client::new()
            .post(format!("{}/v1/hr/employees/import{query}", f.hr.url))
            .bearer_auth(&f.hr.token)
            .header("content-type", "text/csv")
            .body(body.clone())
            .send()
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        res.text().unwrap()
    };
    let report: Value = serde_json::from_str(&post("")).unwrap();
    assert_eq!(report["employees"], 1, "{report}");
    assert_eq!(report["units"], 1, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(errors[0]["row"], 3, "{report}");
    assert_eq!(errors[0]["nip"], "12345", "{report}");
    assert_eq!(errors[0]["field"], "NIP", "{report}");
    assert!(!errors[0]["reason"].as_str().unwrap().is_empty());

    let text = post("?format=csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("row,nip,field,reason"));
    let line = lines.next().unwrap();
    assert!(line.starts_with("3,12345,NIP,"), "{text}");
    assert_eq!(lines.next(), None, "{text}");

    // The valid row is now an employee the reports see.
    let development = rows(&f.hr, "/v1/hr/reports/development?year=2026");
    assert!(development.iter().any(|r| r["nip"] == good.as_str()));
}

// ---------------------------------------------------------------------------
// 15. OpenAPI description

#[test]
fn openapi_document_is_served_and_names_the_reports() {
    let f = fixture();
    let res = reqwest::blocking::get(format!("{}/v1/openapi.yaml", f.server.url)).unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().unwrap();
    assert!(text.starts_with("openapi: 3.1"), "{}", &text[..text.len().min(200)]);
    for path in ["/v1/hr/reports/completion", "/v1/hr/reports/skm", "/v1/hr/exports/ekinerja", "/v1/hr/programmes"] {
        assert!(text.contains(&format!("{path}:")), "{path} is not described");
    }
}

// ---------------------------------------------------------------------------
// Access

#[test]
fn reports_need_an_hr_session_of_their_own_tenant() {
    let f = fixture();
    let storage = f.server.storage.as_ref();
    let path = "/v1/hr/reports/completion?period=2026-S1";
    let get = |token: Option<&str>| {
        let req = reqwest::blocking::Client::new().get(format!("{}{path}", f.server.url));
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        req.send().unwrap().status().as_u16()
    };
    assert_eq!(get(None), 401);
    assert_eq!(get(Some("bukan-token")), 401);

    // A unit head's tablet credential (`<device id>.<secret>`) is not an HR
    // session.
    let unit = &f.d.units[1];
    let head = unit.head_nip.as_ref().unwrap().as_str();
    let tablet =
        prestasi_e2e::enroll(storage, &f.server.url, f._dir.path(), TENANT, Role::Supervisor, head, &[&unit.id]);
    let creds = tablet.client.credentials();
    let status = get(Some(&format!("{}.{}", creds.device_id, creds.secret)));
    assert!(matches!(status, 401 | 403), "a device credential got {status}");

    // Another tenant's HR sees none of this tenant's rows.
    prestasi_server::admin::create_tenant(storage, "lain", "Kota Lain").unwrap();
    prestasi_server::admin::create_user(storage, "lain", "hr", HR_PASSWORD, Role::Hr).unwrap();
    let other = Hr::login(&f.server.url, "lain");
    assert!(rows(&other, path).is_empty());
    assert!(rows(&other, "/v1/hr/reports/skm?period=2026-S1").is_empty());
    assert!(rows(&other, "/v1/hr/reports/talent?year=2026").is_empty());
    assert_eq!(rows(&f.hr, path).len(), 12);
}
