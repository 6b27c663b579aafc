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

/// The cell separator of a CSV download (`sep`): `,` by default, `;` for a
/// spreadsheet in an Indonesian (or other decimal-comma) locale, which
/// splits cells at `;` — Excel there opens a `,` file as one column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Separator {
    #[default]
    #[serde(rename = ",")]
    Comma,
    #[serde(rename = ";")]
    Semicolon,
}

impl Separator {
    pub fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Semicolon => b';',
        }
    }
}

pub fn respond<T: Tabular>(format: Format, sep: Separator, rows: &[T]) -> Result<Response, AppError> {
    match format {
        Format::Json => Ok(Json(Report { report: T::NAME, rows }).into_response()),
        Format::Csv => csv_response(T::NAME, T::headers(), rows.iter().map(Tabular::cells), sep),
    }
}

/// A CSV download. It starts with a UTF-8 byte-order mark so that
/// spreadsheet programs read names with non-ASCII letters correctly.
pub fn csv_response(
    name: &str,
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    sep: Separator,
) -> Result<Response, AppError> {
    let body =
        csv_bytes(b"\xEF\xBB\xBF".to_vec(), headers, rows, sep).map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
        ],
        body,
    )
        .into_response())
}

/// `headers` and `rows` as CSV after `start`, separated by `sep`: every
/// cell defused ([`defuse`]), and quoted by the csv writer where it holds
/// the separator, a quote or a line break (`QuoteStyle::Necessary`).
pub fn csv_bytes<R: AsRef<[String]>>(
    start: Vec<u8>,
    headers: &[&str],
    rows: impl Iterator<Item = R>,
    sep: Separator,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .delimiter(sep.byte())
        .quote_style(csv::QuoteStyle::Necessary)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(start);
    out.write_record(headers.iter().map(|h| defuse(h).into_owned()))?;
    for row in rows {
        out.write_record(row.as_ref().iter().map(|c| defuse(c).into_owned()))?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Characters that make a spreadsheet read a cell as a formula (`=`, `+`,
/// `-`, `@`, and their full-width forms, which some spreadsheets take as
/// the same), or that a cell must not start with (tab, CR).
const FORMULA: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}'];

/// Invisible characters a spreadsheet may drop before reading a cell.
const INVISIBLE: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// Whether a spreadsheet could read `text`, taken as a cell, as a formula:
/// it starts with tab or CR, or with a formula character after any
/// whitespace or invisible characters, and is not a plain number (`-5`,
/// `+1.5e3` stay numbers).
fn starts_a_formula(text: &str) -> bool {
    if text.starts_with(['\t', '\r']) {
        return true;
    }
    let shown = text.trim_start_matches(|c: char| c.is_whitespace() || INVISIBLE.contains(&c));
    let number = !shown.is_empty()
        && shown == text
        && text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && text.parse::<f64>().is_ok();
    shown.starts_with(FORMULA) && !number
}

/// A cell no spreadsheet runs as a formula (a citizen's comment starting
/// with `=`, say), prefixed with `'`. Within the cell too: a spreadsheet
/// that splits at the *other* separator (Excel in an Indonesian locale
/// opening a `,` file splits at `;`), or at a line break it does not see
/// inside quotes, starts a cell after each `,`, `;` or line break, so a
/// `'` also goes after any of them that a formula would follow
/// (`PROBE;=SUM(1+1)` → `PROBE;'=SUM(1+1)`). Numbers stay numbers.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = starts_a_formula(cell)
        || cell.match_indices([',', ';', '\n', '\r']).any(|(at, sep)| starts_a_formula(&cell[at + sep.len()..]));
    if !risky {
        return cell.into();
    }
    let mut out = String::with_capacity(cell.len() + 4);
    if starts_a_formula(cell) {
        out.push('\'');
    }
    for (i, c) in cell.char_indices() {
        out.push(c);
        if matches!(c, ',' | ';' | '\n' | '\r') && starts_a_formula(&cell[i + c.len_utf8()..]) {
            out.push('\'');
        }
    }
    out.into()
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn formulas_are_defused_at_the_start_and_after_every_separator() {
        for (cell, want) in [
            ("=SUM(1+1)", "'=SUM(1+1)"),
            (" =SUM(1+1)", "' =SUM(1+1)"),
            ("\u{3000}=1", "'\u{3000}=1"),
            ("\u{FEFF}@A1", "'\u{FEFF}@A1"),
            ("\tteks", "'\tteks"),
            ("\r=1", "'\r'=1"),
            ("+62 812", "'+62 812"),
            ("-tidak ada", "'-tidak ada"),
            ("@A1", "'@A1"),
            ("\u{FF1D}1+1", "'\u{FF1D}1+1"),
            ("PROBE;=SUM(1+1);@A1", "PROBE;'=SUM(1+1);'@A1"),
            ("a, +1", "a,' +1"),
            ("baris\n=cmd", "baris\n'=cmd"),
            ("baik; sangat baik, cepat", "baik; sangat baik, cepat"),
            ("-5", "-5"),
            ("+1.5e3", "+1.5e3"),
            ("a;-5", "a;-5"),
            (" -5", "' -5"),
            ("-inf", "'-inf"),
            ("Budi", "Budi"),
            ("", ""),
        ] {
            assert_eq!(defuse(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn cells_with_the_separator_quotes_or_breaks_are_quoted() {
        let rows =
            [vec!["PROBE;=SUM(1+1);@A1".to_string(), "a,b".into(), "kata \"kutip\"".into(), "dua\nbaris".into()]];
        let comma =
            String::from_utf8(csv_bytes(Vec::new(), &["A", "B", "C", "D"], rows.iter(), Separator::Comma).unwrap())
                .unwrap();
        assert_eq!(comma, "A,B,C,D\nPROBE;'=SUM(1+1);'@A1,\"a,b\",\"kata \"\"kutip\"\"\",\"dua\nbaris\"\n");
        let semi =
            String::from_utf8(csv_bytes(Vec::new(), &["A", "B", "C", "D"], rows.iter(), Separator::Semicolon).unwrap())
                .unwrap();
        assert_eq!(semi, "A;B;C;D\n\"PROBE;'=SUM(1+1);'@A1\";a,b;\"kata \"\"kutip\"\"\";\"dua\nbaris\"\n");
    }
}
