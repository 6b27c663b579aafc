//! One report, two shapes: JSON for programs and pages, CSV for the admin
//! who opens it in a spreadsheet or re-keys it into e-Kinerja.

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Csv,
}

/// A flat report row: its JSON form is its `Serialize`, its CSV form these
/// cells under these (Indonesian) headers.
pub trait Tabular: Serialize {
    /// File name of the CSV download, without extension.
    const NAME: &'static str;
    fn headers() -> &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

/// The JSON shape of every report, serialised straight from the rows.
#[derive(Serialize)]
struct Report<'a, T> {
    report: &'static str,
    rows: &'a [T],
}

pub fn respond<T: Tabular>(format: Format, rows: &[T]) -> Result<Response, AppError> {
    match format {
        Format::Json => Ok(Json(Report { report: T::NAME, rows }).into_response()),
        Format::Csv => csv_response(T::NAME, T::headers(), rows.iter().map(Tabular::cells)),
    }
}

/// A CSV download. It starts with a UTF-8 byte-order mark so that
/// spreadsheet programs read names with non-ASCII letters correctly.
pub fn csv_response(
    name: &str,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Response, AppError> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    out.write_record(headers).map_err(fail)?;
    for row in rows {
        out.write_record(row.iter().map(|c| defuse(c).into_owned())).map_err(fail)?;
    }
    let body = out.into_inner().map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
        ],
        body,
    )
        .into_response())
}

/// Text that a spreadsheet would run as a formula (a citizen's comment
/// starting with `=`, say) is prefixed with `'`; numbers stay numbers.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Cell text of an optional value.
pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Cell text of a number shown with two decimals.
pub fn dec(v: f64) -> String {
    format!("{v:.2}")
}

pub fn opt_dec(v: Option<f64>) -> String {
    v.map(dec).unwrap_or_default()
}
