//! `/hr/kalibrasi`: each unit's predikat distribution against the curve
//! for its own rating, and appraisers rating far from their agency's norm.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::rules::{Predikat, RaterFlag};

use super::session::WebHr;
use super::svg::{Bar, stacked_bars};
use super::{Filters, PageQuery, num, show};
use crate::extract::Query;
use crate::reports::calibration::{AppraiserRow, DistributionRow, compute_appraisers, compute_distribution};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/kalibrasi", get(page))
}

/// Appraisers listed on the page (flagged ones first); the CSV has all.
const MAX_APPRAISERS: usize = 300;

struct Appraiser {
    r: AppraiserRow,
    flag: Option<&'static str>,
    lenient: bool,
    mean: String,
    agency_mean: String,
    agency_sd: String,
    z: String,
}

#[derive(Template)]
#[template(path = "kalibrasi.html")]
struct Page {
    hr: WebHr,
    f: Filters,
    units: Vec<(DistributionRow, &'static str)>,
    chart: String,
    appraisers: Vec<Appraiser>,
    total_appraisers: usize,
    flagged: usize,
    min_appraisals: u32,
    z_threshold: String,
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let user = hr.clone();
    show(&s, &hr, move |ctx| {
        let f = Filters::period(ctx, "/hr/kalibrasi", &q, true)?;
        let (units, mut raters) = if f.has_data() {
            (compute_distribution(ctx, &f.params())?, compute_appraisers(ctx, &f.params())?)
        } else {
            (Vec::new(), Vec::new())
        };
        let bars: Vec<Bar> = units
            .iter()
            .map(|u| Bar {
                label: u.unit_name.clone(),
                values: [u.sangat_baik, u.baik, u.butuh_perbaikan, u.kurang, u.sangat_kurang].map(u64::from).to_vec(),
            })
            .collect();
        let legend = Predikat::ALL.map(Predikat::label_id);
        let chart = stacked_bars(&format!("Sebaran predikat per unit kerja {}", f.period), &legend, &bars);
        // Flagged first, the furthest from the norm first among them.
        let distance = |r: &AppraiserRow| r.z.map_or(0.0, f64::abs);
        raters.sort_by(|a, b| a.flag.is_none().cmp(&b.flag.is_none()).then(distance(b).total_cmp(&distance(a))));
        let flagged = raters.iter().filter(|r| r.flag.is_some()).count();
        let total_appraisers = raters.len();
        let appraisers = raters
            .into_iter()
            .take(MAX_APPRAISERS)
            .map(|r| Appraiser {
                flag: r.flag.map(RaterFlag::label_id),
                lenient: r.flag == Some(RaterFlag::Lenient),
                mean: num(Some(r.mean)),
                agency_mean: num(Some(r.agency_mean)),
                agency_sd: num(Some(r.agency_sd)),
                z: num(r.z),
                r,
            })
            .collect();
        Ok(Page {
            hr: user,
            units: units
                .into_iter()
                .map(|u| {
                    let rating = u.unit_rating.map_or("Belum diisi", |r| r.label_id());
                    (u, rating)
                })
                .collect(),
            chart,
            appraisers,
            total_appraisers,
            flagged,
            min_appraisals: ctx.settings.raters.min_appraisals,
            z_threshold: format!("{:.1}", ctx.settings.raters.z_threshold),
            f,
        })
    })
    .await
}
