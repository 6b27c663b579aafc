//! `/hr/talenta`: the 9-box grid (performance from the last two years of
//! predikat, potential as HR assessed it) with everyone's box and its
//! follow-up, who is left out and why, succession candidates, rank
//! promotion eligibility with the reasons for the rest, and credit points.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use prestasi_core::rules::{Potential, Rating, box_actions, nine_box};

use super::session::WebHr;
use super::svg::nine_box_grid;
use super::{Filters, PageQuery, num, show};
use crate::extract::Query;
use crate::reports::talent::{
    CreditRow, PromotionRow, SuccessionRow, TalentRow, compute_credits, compute_promotion, compute_succession,
    compute_talent,
};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/talenta", get(page))
}

/// Rows of a long list shown on the page; the CSVs have all.
const MAX_ROWS: usize = 300;

/// One box of the grid with the people in it.
struct Box9 {
    number: u8,
    performance: &'static str,
    potential: String,
    actions: Vec<&'static str>,
    people: Vec<TalentRow>,
    total: usize,
}

/// A list with how long it is in full.
struct Listed<T> {
    rows: Vec<T>,
    total: usize,
}

impl<T> Listed<T> {
    fn of(rows: Vec<T>) -> Self {
        let total = rows.len();
        Self { rows: rows.into_iter().take(MAX_ROWS).collect(), total }
    }
}

#[derive(Template)]
#[template(path = "talenta.html")]
struct Page {
    hr: WebHr,
    f: Filters,
    grid: String,
    placed: usize,
    boxes: Vec<Box9>,
    excluded: Listed<TalentRow>,
    succession: Listed<SuccessionRow>,
    promotion: Listed<PromotionRow>,
    eligible: usize,
    as_of: String,
    credits: Listed<(CreditRow, String)>,
}

fn predikats(t: &TalentRow) -> String {
    t.predikats.iter().map(|p| p.label_id()).collect::<Vec<_>>().join(", ")
}

async fn page(State(s): State<AppState>, hr: WebHr, Query(q): Query<PageQuery>) -> Response {
    let user = hr.clone();
    show(&s, &hr, move |ctx| {
        let mut f = Filters::year(ctx, "/hr/talenta", &q, true)?;
        f.as_of = Some(q.as_of.as_deref().map(str::trim).unwrap_or_default().to_string());
        let p = f.params();
        let talent = compute_talent(ctx, &p)?;
        let (placed, left_out): (Vec<TalentRow>, Vec<TalentRow>) =
            talent.into_iter().partition(|t| t.box_number.is_some());
        let count = |n: u8| placed.iter().filter(|t| t.box_number == Some(n)).count() as u64;
        let grid = nine_box_grid(&format!("Talenta 9 kotak {}", f.year), count);
        let mut boxes = Vec::new();
        let axes: Vec<(Rating, Potential)> =
            Rating::ALL.iter().flat_map(|r| Potential::ALL.iter().map(move |p| (*r, *p))).collect();
        for number in (1..=9).rev() {
            let people: Vec<TalentRow> = placed.iter().filter(|t| t.box_number == Some(number)).cloned().collect();
            let axis = axes.iter().find(|(r, p)| nine_box(*r, *p) == number);
            boxes.push(Box9 {
                number,
                performance: axis.map_or("", |a| a.0.label_id()),
                potential: axis.map(|a| a.1.to_string()).unwrap_or_default(),
                actions: box_actions(number)?.iter().map(|a| a.label_id()).collect(),
                total: people.len(),
                people: people.into_iter().take(MAX_ROWS).collect(),
            });
        }
        let mut succession = compute_succession(ctx, &p)?;
        succession.sort_by_key(|r| !r.eligible);
        let mut promotion = compute_promotion(ctx, &p)?;
        promotion.sort_by_key(|r| !r.eligible);
        let eligible = promotion.iter().filter(|r| r.eligible).count();
        let credits = compute_credits(ctx, &p)?.into_iter().map(|c| (num(c.credit_points), c)).map(|(n, c)| (c, n));
        Ok(Page {
            hr: user,
            grid,
            placed: placed.len(),
            boxes,
            excluded: Listed::of(left_out),
            succession: Listed::of(succession),
            promotion: Listed::of(promotion),
            eligible,
            as_of: p.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive()).to_string(),
            credits: Listed::of(credits.collect()),
            f,
        })
    })
    .await
}
