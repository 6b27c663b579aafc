//! `/hr/penghargaan`: the performance allowance (TPP) percentage each
//! employee's predikat earns under the tenant's table, and the public
//! recognition per unit with the reasons.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::rules::Predikat;

use super::session::WebHr;
use super::{Filters, PageQuery, label, num, show};
use crate::extract::Query;
use crate::reports::rewards::{AllowanceRow, RecognitionRow, compute_allowances, compute_recognition};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/penghargaan", get(page))
}

/// Allowance rows shown on the page; the CSV has all.
const MAX_ROWS: usize = 500;

struct Allowance {
    r: AllowanceRow,
    status: &'static str,
    percent: String,
}

#[derive(Template)]
#[template(path = "penghargaan.html")]
struct Page {
    hr: WebHr,
    f: Filters,
    /// Per predikat: label, the table's percent, how many employees.
    table: Vec<(&'static str, String, usize)>,
    allowances: Vec<Allowance>,
    total: usize,
    /// Unit name → its recognised employees, by rank.
    recognition: BTreeMap<String, Vec<RecognitionRow>>,
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let user = hr.clone();
    show(&s, &hr, move |ctx| {
        let f = Filters::period(ctx, "/hr/penghargaan", &q, true)?;
        let (rows, recognised) = if f.has_data() {
            (compute_allowances(ctx, &f.params())?, compute_recognition(ctx, &f.params())?)
        } else {
            (Vec::new(), Vec::new())
        };
        let table = Predikat::ALL
            .iter()
            .map(|p| {
                let percent = num(Some(ctx.settings.allowance.percent(*p)));
                (p.label_id(), percent, rows.iter().filter(|r| r.predikat == *p).count())
            })
            .collect();
        let mut recognition: BTreeMap<String, Vec<RecognitionRow>> = BTreeMap::new();
        for r in recognised {
            recognition.entry(r.unit_name.clone()).or_default().push(r);
        }
        for list in recognition.values_mut() {
            list.sort_by_key(|r| r.rank);
        }
        let total = rows.len();
        let allowances = rows
            .into_iter()
            .take(MAX_ROWS)
            .map(|r| Allowance { status: label::status(r.status), percent: num(Some(r.percent)), r })
            .collect();
        Ok(Page { hr: user, f, table, allowances, total, recognition })
    })
    .await
}
