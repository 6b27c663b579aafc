//! `/hr/skm`: citizen satisfaction (SKM) per unit and service — whether
//! each unit's sample is large enough yet, NRR per element, IKM, mutu —
//! the waiting-time trend as line charts, and the latest comments.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::rules::Element;

use super::session::WebHr;
use super::svg::line;
use super::{Filters, PageQuery, local_time, show};
use crate::extract::Query;
use crate::reports::skm::{SkmRow, compute, compute_comments, compute_waiting};
use crate::state::AppState;
use crate::storage::CommentRow;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/skm", get(page))
}

/// Per-unit trend charts drawn when no unit is chosen, at most.
const MAX_UNIT_CHARTS: usize = 12;
const COMMENTS_SHOWN: usize = 20;

struct Comment {
    c: CommentRow,
    unit_name: String,
    at: String,
}

#[derive(Template)]
#[template(path = "skm.html")]
struct Page {
    hr: WebHr,
    f: Filters,
    rows: Vec<SkmRow>,
    units: usize,
    valid: usize,
    elements: Vec<(&'static str, &'static str)>,
    charts: Vec<String>,
    comments: Vec<Comment>,
}

/// Months and average minutes waited: weighted by respondents when several
/// units are summed.
type Trend = BTreeMap<String, (u64, f64)>;

fn points(t: &Trend) -> Vec<(String, f64)> {
    t.iter().map(|(m, (n, minutes))| (m.clone(), if *n == 0 { 0.0 } else { minutes / *n as f64 })).collect()
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let user = hr.clone();
    show(&s, &hr, move |ctx| {
        let f = Filters::period(ctx, "/hr/skm", &q, true)?;
        let p = f.params();
        let (rows, waiting, comments) = if f.has_data() {
            (compute(ctx, &p)?, compute_waiting(ctx, &p)?, compute_comments(ctx, &p)?)
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        let mut all = Trend::new();
        let mut per_unit: BTreeMap<String, Trend> = BTreeMap::new();
        for w in &waiting {
            let minutes = w.average_minutes * w.respondents as f64;
            for t in [
                all.entry(w.month.clone()).or_default(),
                per_unit.entry(w.unit_name.clone()).or_default().entry(w.month.clone()).or_default(),
            ] {
                t.0 += w.respondents;
                t.1 += minutes;
            }
        }
        let mut charts = Vec::new();
        if per_unit.len() > 1 {
            charts.push(line("Rata-rata menit menunggu per bulan, semua unit terpilih", &points(&all)));
        }
        if per_unit.len() <= MAX_UNIT_CHARTS {
            charts.extend(
                per_unit
                    .iter()
                    .map(|(unit, t)| line(&format!("Rata-rata menit menunggu per bulan: {unit}"), &points(t))),
            );
        }
        let units = rows.iter().filter(|r| r.level == "unit").count();
        let valid = rows.iter().filter(|r| r.valid == Some(true)).count();
        let offset = ctx.settings.utc_offset_minutes;
        let comments = comments
            .into_iter()
            .take(COMMENTS_SHOWN)
            .map(|c| Comment { unit_name: ctx.unit_name(&c.unit_id), at: local_time(c.received_at, offset), c })
            .collect();
        let elements = Element::ALL.iter().map(|e| (e.name(), e.label_id())).collect();
        Ok(Page { hr: user, f, rows, units, valid, elements, charts, comments })
    })
    .await
}
