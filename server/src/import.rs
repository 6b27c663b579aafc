//! Import of employee master data from a SIASN-style CSV export (REFERENCE §7).
//!
//! HR exports the roster from the national system and uploads it here; every
//! row becomes an [`Employee`] and every distinct `UNIT_KERJA_ID` a [`Unit`].
//! A row with any problem is skipped whole and reported as one or more
//! [`RowError`]s (line, NIP, column, reason in Bahasa Indonesia) while the
//! other rows import; [`errors_csv`] turns the report into a file HR can fix
//! the export from.
//!
//! # Format
//!
//! - UTF-8, with or without a byte-order mark. The separator is `,` or `;`
//!   (Indonesian spreadsheets save with `;`), detected from the header line.
//!   Fields may be quoted (`"Budi, S.Kom."`). Lines of nothing but blanks
//!   and separators are ignored.
//! - The first non-blank line is the header. Names are matched trimmed and
//!   case-insensitively, with a space or `-` read as `_`; other columns are
//!   ignored, and a known column given twice refuses the whole file.
//! - Required columns (a missing one refuses the whole file, an empty cell
//!   refuses the row): `NIP` (18 digits, REFERENCE §6; a leading `'` is
//!   dropped, a number in scientific notation such as `1,99E+17` gets its own
//!   explanation), `NAMA`,
//!   `UNIT_KERJA_ID`, `UNIT_KERJA`, `INSTANSI_ID`, `INSTANSI`, `JABATAN` (the
//!   position title) and `JENIS_JABATAN`: `pelaksana`, `pengawas`,
//!   `administrator`, `JPT` / `pimpinan tinggi` (optionally `pratama`, `madya`,
//!   `utama`) or `fungsional`. A leading `jabatan` is ignored and the SIASN
//!   terms `fungsional tertentu` and `fungsional umum` (= pelaksana) are read.
//! - Optional columns, empty cells meaning "unknown":
//!   - `GOLONGAN`: `I/a` … `IV/e`, any case, spaces ignored;
//!   - `TMT_GOLONGAN`: `YYYY-MM-DD` or `DD-MM-YYYY` (`/` also accepted),
//!     stored as `YYYY-MM-DD`;
//!   - `PENDIDIKAN`: `SD`, `SMP`/`SLTP`, `SMA`/`SLTA`/`SMU`/`SMK`, `D1`…`D4`
//!     (also `D-III`), `S1`, `S2`, `S3`;
//!   - `JENJANG_JF`: `Pemula`, `Terampil`, `Mahir`, `Penyelia`, `Ahli Pertama`,
//!     `Ahli Muda`, `Ahli Madya`, `Ahli Utama`; required for `fungsional`,
//!     ignored otherwise;
//!   - `NIP_ATASAN`: the direct superior, who need not be in the same file
//!     (superiors may sit in another agency's export) but must be a valid NIP
//!     (read like `NIP`) other than the employee's own;
//!   - `STATUS`: `aktif` (the default) or an inactive status (`tidak aktif`,
//!     `nonaktif`, `pensiun`, `berhenti`, `diberhentikan`, `meninggal`,
//!     `keluar`, `mutasi keluar`).
//! - A NIP that appears twice is refused on its second line. A unit takes its
//!   name and agency from its first imported row; a later row naming the same
//!   `UNIT_KERJA_ID` differently is refused. Unit heads are not in the export
//!   (`head_nip` is `None`).
//! - A line with more cells than the header is refused as a whole, under the
//!   field `(baris)`: it usually holds an unquoted separator (`Andi, S.E.`),
//!   which shifts every later cell. A line with fewer cells reads the missing
//!   ones as empty.
//!
//! ```text
//! NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;TMT_GOLONGAN;JENJANG_JF;NIP_ATASAN
//! 198802182010062056;Siti Aminah;U01;Bidang Pelayanan;A01;Disdukcapil;Administrator;Kepala Bidang;III/d;01-04-2018;;
//! 199307082019031090;Budi Santoso;U01;Bidang Pelayanan;A01;Disdukcapil;Fungsional;Analis SDM;III/a;2019-03-01;Ahli Pertama;198802182010062056
//! ```

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;

use chrono::NaiveDate;
use csv::ByteRecord;
use prestasi_core::error::{Reason, ValidationError};
use prestasi_core::model::{Employee, PositionKind, Unit};
use prestasi_core::rules::{Education, FunctionalLevel, Nip, Rank};

/// The `field` of a [`RowError`] about a whole line rather than one column.
pub const ROW_FIELD: &str = "(baris)";
const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Longest cell text echoed back in a report.
const SHOWN_MAX: usize = 60;
/// Longest `JABATAN` / `INSTANSI` (the core checks the other texts).
const TEXT_MAX: usize = 200;

/// What a file yielded: the rows that passed, and why the others did not.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportedRoster {
    /// In file order.
    pub employees: Vec<Employee>,
    /// One per distinct `UNIT_KERJA_ID`, in order of first appearance.
    pub units: Vec<Unit>,
    /// In file order; a refused line may have several.
    pub errors: Vec<RowError>,
}

/// One problem in one line of the file. The line was not imported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowError {
    /// 1-based line number in the file (the header is line 1).
    pub row: usize,
    /// The line's NIP cell as written (even if invalid), if not empty.
    pub nip: Option<String>,
    /// The column name, e.g. `GOLONGAN`, or [`ROW_FIELD`].
    pub field: String,
    /// The reason in Bahasa Indonesia.
    pub reason: String,
}

/// The file as a whole cannot be read as a roster; nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("required column {column} is missing")]
    MissingColumn { column: String },
    #[error("column {column} appears more than once")]
    DuplicateColumn { column: String },
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a readable CSV file: {0}")]
    Csv(#[from] csv::Error),
}

impl ImportError {
    /// The problem in Bahasa Indonesia, for HR.
    pub fn user_message(&self) -> String {
        match self {
            ImportError::Empty => "Berkas kosong.".to_string(),
            ImportError::MissingColumn { column } => format!(
                "Kolom wajib {column} tidak ditemukan pada baris judul. Kolom wajib: {}; pemisah koma atau titik koma.",
                REQUIRED.join(", ")
            ),
            ImportError::DuplicateColumn { column } => format!("Kolom {column} muncul lebih dari sekali."),
            ImportError::Io(_) | ImportError::Csv(_) => "Berkas tidak dapat dibaca sebagai CSV.".to_string(),
        }
    }
}

/// Parses a roster export; see the module documentation for the format.
pub fn parse_roster<R: Read>(mut input: R) -> Result<ImportedRoster, ImportError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let body = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(detect_delimiter(body)).has_headers(false).flexible(true).from_reader(body);
    let mut records = reader.byte_records();
    let header = loop {
        match records.next() {
            None => return Err(ImportError::Empty),
            Some(record) => {
                let record = record?;
                if !is_blank(&record) {
                    break record;
                }
            }
        }
    };
    let mut importer = Importer { columns: map_columns(&header)?, width: header.len(), ..Importer::default() };
    for record in records {
        let record = record?;
        if !is_blank(&record) {
            importer.row(&record);
        }
    }
    Ok(importer.roster)
}

/// The report as CSV (`row,nip,field,reason`, `,`-separated, `\n` line
/// ends). Cells starting with `=`, `+`, `-` or `@` get a leading `'` so that a
/// spreadsheet never runs them as formulas.
pub fn errors_csv(errors: &[RowError]) -> String {
    errors_csv_with(errors, crate::reports::table::Separator::Comma)
}

/// [`errors_csv`] with the cells separated by `sep`.
pub fn errors_csv_with(errors: &[RowError], sep: crate::reports::table::Separator) -> String {
    let rows = errors
        .iter()
        .map(|e| [e.row.to_string(), e.nip.clone().unwrap_or_default(), e.field.clone(), e.reason.clone()]);
    let bytes =
        crate::reports::table::csv_bytes(Vec::new(), &["row", "nip", "field", "reason"], rows, sep).unwrap_or_default();
    // The cells are strings: the writer wrote UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// Required columns; a line must fill every one.
const REQUIRED: [&str; 8] =
    ["NIP", "NAMA", "UNIT_KERJA_ID", "UNIT_KERJA", "INSTANSI_ID", "INSTANSI", "JENIS_JABATAN", "JABATAN"];
const OPTIONAL: [&str; 6] = ["GOLONGAN", "TMT_GOLONGAN", "PENDIDIKAN", "JENJANG_JF", "NIP_ATASAN", "STATUS"];

fn detect_delimiter(body: &[u8]) -> u8 {
    let line = body.split(|&b| b == b'\n').find(|l| l.iter().any(is_text)).unwrap_or_default();
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// Not a blank or a separator: a line without any is skipped.
fn is_text(b: &u8) -> bool {
    !b.is_ascii_whitespace() && !matches!(b, b',' | b';')
}

fn is_blank(record: &ByteRecord) -> bool {
    !record.iter().any(|cell| cell.iter().any(is_text))
}

fn map_columns(header: &ByteRecord) -> Result<HashMap<&'static str, usize>, ImportError> {
    let mut columns = HashMap::new();
    for (index, cell) in header.iter().enumerate() {
        let name = String::from_utf8_lossy(cell).trim().to_uppercase().replace([' ', '-'], "_");
        if let Some(column) = REQUIRED.into_iter().chain(OPTIONAL).find(|c| *c == name)
            && columns.insert(column, index).is_some()
        {
            return Err(ImportError::DuplicateColumn { column: column.to_string() });
        }
    }
    match REQUIRED.into_iter().find(|c| !columns.contains_key(c)) {
        Some(missing) => Err(ImportError::MissingColumn { column: missing.to_string() }),
        None => Ok(columns),
    }
}

#[derive(Default)]
struct Importer {
    columns: HashMap<&'static str, usize>,
    width: usize,
    roster: ImportedRoster,
    /// Unit id → (index in `roster.units`, line that defined it).
    units: HashMap<String, (usize, usize)>,
    /// NIP → first line it appeared on, imported or not.
    nips: HashMap<String, usize>,
}

impl Importer {
    fn row(&mut self, record: &ByteRecord) {
        let line = record.position().and_then(|p| usize::try_from(p.line()).ok()).unwrap_or_default();
        let mut cells = Cells { record, columns: &self.columns, line, nip: None, errors: Vec::new() };
        cells.nip = cells.peek("NIP").map(shown);
        if record.len() > self.width {
            let (len, width) = (record.len(), self.width);
            let why = format!(
                "baris berisi {len} kolom, sedangkan judul {width} kolom; \
                 beri tanda kutip pada isian yang memuat koma atau titik koma"
            );
            cells.fail(ROW_FIELD, ValidationError::rule("", why));
            self.roster.errors.append(&mut cells.errors);
            return;
        }

        let nip = cells.required("NIP").and_then(|s| cells.check("NIP", parse_nip(s)));
        let name = cells.required("NAMA").map(clean);
        let unit_id = cells.required("UNIT_KERJA_ID").map(str::to_string);
        let unit_name = cells.required("UNIT_KERJA").map(clean);
        let agency_id = cells.required("INSTANSI_ID").map(str::to_string);
        let agency_name = cells.required("INSTANSI").and_then(|s| cells.check("INSTANSI", bounded(s)));
        let kind = cells.required("JENIS_JABATAN").and_then(|s| cells.check("JENIS_JABATAN", parse_kind(s)));
        let position = match kind {
            Some(Some(kind)) => Some(kind),
            Some(None) => match cells.optional("JENJANG_JF", parse_level) {
                Ok(Some(level)) => Some(PositionKind::Fungsional(level)),
                Ok(None) => {
                    cells.fail("JENJANG_JF", ValidationError::rule("", "wajib diisi untuk jabatan fungsional"));
                    None
                }
                Err(()) => None,
            },
            None => None,
        };
        let title = cells.required("JABATAN").and_then(|s| cells.check("JABATAN", bounded(s)));
        let rank = cells.optional("GOLONGAN", parse_rank);
        let rank_since = cells.optional("TMT_GOLONGAN", parse_date);
        let education = cells.optional("PENDIDIKAN", parse_education);
        let superior = cells.optional("NIP_ATASAN", parse_nip);
        let active = cells.optional("STATUS", parse_status).map(|status| status.unwrap_or(true));

        if let (Some(nip), Ok(Some(superior))) = (&nip, &superior)
            && nip == superior
        {
            cells.fail("NIP_ATASAN", ValidationError::rule("", "tidak boleh sama dengan NIP pegawai itu sendiri"));
        }
        if let Some(nip) = &nip {
            match self.nips.entry(nip.as_str().to_string()) {
                Entry::Occupied(first) => {
                    let e = ValidationError::rule("", format!("NIP ini sudah tercantum di baris {}", first.get()));
                    cells.fail("NIP", e);
                }
                Entry::Vacant(slot) => {
                    slot.insert(line);
                }
            }
        }
        let known = unit_id.as_ref().and_then(|id| self.units.get(id)).copied();
        if let (Some((index, first)), Some(id)) = (known, &unit_id)
            && let Some(unit) = self.roster.units.get(index)
        {
            let pairs = [
                ("UNIT_KERJA", &unit_name, &unit.name),
                ("INSTANSI_ID", &agency_id, &unit.agency_id),
                ("INSTANSI", &agency_name, &unit.agency_name),
            ];
            for (column, ours, theirs) in pairs {
                if ours.as_ref().is_some_and(|ours| ours != theirs) {
                    let id = shown(id);
                    let why = format!("unit kerja {id} di baris {first} tercantum dengan {column} \"{theirs}\"");
                    cells.fail(column, ValidationError::rule("", why));
                }
            }
        }

        // Built only from a line without problems so far.
        let build = || {
            let employee = Employee {
                nip: nip?,
                name: name?,
                rank: rank.ok()?,
                rank_since: rank_since.ok()?.map(|d| d.format("%Y-%m-%d").to_string()),
                education: education.ok()?,
                position: position?,
                position_title: title?,
                unit_id: unit_id.clone()?,
                superior_nip: superior.ok()?,
                active: active.ok()?,
            };
            let unit = Unit {
                id: unit_id?,
                agency_id: agency_id?,
                agency_name: agency_name?,
                name: unit_name?,
                head_nip: None,
            };
            Some((employee, unit))
        };
        if let Some((employee, unit)) = cells.errors.is_empty().then(build).flatten() {
            if let Err(e) = employee.validate() {
                let column = match e.field.as_str() {
                    "name" => "NAMA",
                    "unit_id" => "UNIT_KERJA_ID",
                    "rank_since" => "TMT_GOLONGAN",
                    "superior_nip" => "NIP_ATASAN",
                    _ => ROW_FIELD,
                };
                cells.fail(column, e);
            }
            if known.is_none()
                && let Err(e) = unit.validate()
            {
                let column = match e.field.as_str() {
                    "agency_id" => "INSTANSI_ID",
                    "name" => "UNIT_KERJA",
                    _ => "UNIT_KERJA_ID",
                };
                cells.fail(column, e);
            }
            if cells.errors.is_empty() {
                if known.is_none() {
                    self.units.insert(unit.id.clone(), (self.roster.units.len(), line));
                    self.roster.units.push(unit);
                }
                self.roster.employees.push(employee);
            }
        }
        self.roster.errors.append(&mut cells.errors);
    }
}

/// The cells of one line, and the problems found in them so far.
struct Cells<'a> {
    record: &'a ByteRecord,
    columns: &'a HashMap<&'static str, usize>,
    line: usize,
    nip: Option<String>,
    errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    /// The trimmed cell, `None` if absent or empty; reports a non-UTF-8 cell.
    fn text(&mut self, column: &str) -> Option<&'a str> {
        let bytes = self.columns.get(column).and_then(|&index| self.record.get(index))?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Some(s.trim()).filter(|s| !s.is_empty()),
            Err(_) => {
                let e = ValidationError::rule("", "bukan teks UTF-8; simpan ulang berkas sebagai \"CSV UTF-8\"");
                self.fail(column, e);
                None
            }
        }
    }

    /// Like [`Cells::text`] but silent.
    fn peek(&self, column: &str) -> Option<&'a str> {
        let bytes = self.columns.get(column).and_then(|&index| self.record.get(index))?;
        std::str::from_utf8(bytes).ok().map(str::trim).filter(|s| !s.is_empty())
    }

    /// Like [`Cells::text`], reporting an empty cell.
    fn required(&mut self, column: &str) -> Option<&'a str> {
        let before = self.errors.len();
        let text = self.text(column);
        if text.is_none() && self.errors.len() == before {
            self.fail(column, ValidationError::new("", Reason::Empty));
        }
        text
    }

    /// An optional cell parsed: `Ok(None)` if empty, `Err(())` once reported.
    fn optional<T>(&mut self, column: &str, parse: fn(&str) -> Result<T, ValidationError>) -> Result<Option<T>, ()> {
        let before = self.errors.len();
        match self.text(column) {
            Some(s) => self.check(column, parse(s)).map(Some).ok_or(()),
            None if self.errors.len() == before => Ok(None),
            None => Err(()),
        }
    }

    fn check<T>(&mut self, column: &str, result: Result<T, ValidationError>) -> Option<T> {
        result.map_err(|e| self.fail(column, e)).ok()
    }

    /// Records `e` against `column`, its message naming the column.
    fn fail(&mut self, column: &str, mut e: ValidationError) {
        e.field = column.to_string();
        let reason = e.user_message();
        self.errors.push(RowError { row: self.line, nip: self.nip.clone(), field: e.field, reason });
    }
}

/// A value as echoed in a report: at most [`SHOWN_MAX`] characters.
fn shown(s: &str) -> String {
    if s.chars().count() <= SHOWN_MAX {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(SHOWN_MAX).collect::<String>())
    }
}

/// Inner runs of whitespace become one space.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn bounded(s: &str) -> Result<String, ValidationError> {
    let len = s.chars().count();
    if len > TEXT_MAX { Err(ValidationError::new("", Reason::TooLong { len, max: TEXT_MAX })) } else { Ok(clean(s)) }
}

/// Lower case without spaces, `-`, `_` or `.`: "D-III" → "diii".
fn key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.')).flat_map(char::to_lowercase).collect()
}

/// A NIP, allowing the leading `'` spreadsheets use to keep digits as text.
fn parse_nip(s: &str) -> Result<Nip, ValidationError> {
    let s = s.strip_prefix('\'').unwrap_or(s);
    let scientific = |c: char| c.is_ascii_digit() || matches!(c, 'E' | 'e' | '+' | '.' | ',');
    if s.contains(['E', 'e']) && s.starts_with(|c: char| c.is_ascii_digit()) && s.chars().all(scientific) {
        let why = "tertulis sebagai angka ilmiah (misalnya 1,99E+17) sehingga angkanya hilang; \
                   format kolom sebagai Teks di lembar kerja lalu ekspor ulang";
        return Err(ValidationError::rule("", why));
    }
    Nip::parse(s).map_err(|e| ValidationError::new("", Reason::Nip(e)))
}

/// `Some(kind)`, or `None` for a functional position (its level is elsewhere).
fn parse_kind(s: &str) -> Result<Option<PositionKind>, ValidationError> {
    let key = key(s);
    let key = key.strip_prefix("jabatan").unwrap_or(&key);
    let jpt = ["jpt", "pimpinantinggi"].iter().filter_map(|p| key.strip_prefix(p)).next();
    match key {
        "pelaksana" | "fungsionalumum" => Ok(Some(PositionKind::Pelaksana)),
        "pengawas" => Ok(Some(PositionKind::Pengawas)),
        "administrator" => Ok(Some(PositionKind::Administrator)),
        "fungsional" | "fungsionaltertentu" => Ok(None),
        _ if jpt.is_some_and(|rest| ["", "pratama", "madya", "utama"].contains(&rest)) => Ok(Some(PositionKind::Jpt)),
        _ => Err(ValidationError::unknown(
            "",
            shown(s),
            &["pelaksana", "pengawas", "administrator", "JPT (pimpinan tinggi)", "fungsional"],
        )),
    }
}

fn parse_level(s: &str) -> Result<FunctionalLevel, ValidationError> {
    let key = key(s);
    FunctionalLevel::ALL
        .into_iter()
        .find(|level| self::key(level.label_id()) == key)
        .ok_or_else(|| ValidationError::unknown("", shown(s), &FunctionalLevel::ALL.map(FunctionalLevel::label_id)))
}

fn parse_rank(s: &str) -> Result<Rank, ValidationError> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let written = match compact.split_once('/') {
        Some((group, room)) => format!("{}/{}", group.to_uppercase(), room.to_lowercase()),
        None => compact,
    };
    written.parse::<Rank>().map_err(|_| ValidationError::unknown("", shown(s), &["I/a", "I/b", "...", "IV/e"]))
}

/// `YYYY-MM-DD` or `DD-MM-YYYY` (`-` or `/`), years 1900–2100.
fn parse_date(s: &str) -> Result<NaiveDate, ValidationError> {
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let number = |i: usize| {
        parts
            .get(i)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let ymd = match lens.as_slice() {
        [4, 1..=2, 1..=2] => number(0).zip(number(1)).zip(number(2)).map(|((y, m), d)| (y, m, d)),
        [1..=2, 1..=2, 4] => number(2).zip(number(1)).zip(number(0)).map(|((y, m), d)| (y, m, d)),
        _ => None,
    };
    ymd.filter(|(y, _, _)| (1900..=2100).contains(y))
        .and_then(|(y, m, d)| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d))
        .ok_or_else(|| ValidationError::new("", Reason::Date { value: shown(s) }))
}

fn parse_education(s: &str) -> Result<Education, ValidationError> {
    let education = match key(s).as_str() {
        "sd" => Education::SD,
        "smp" | "sltp" => Education::SMP,
        "sma" | "slta" | "smu" | "smk" => Education::SMA,
        "d1" | "di" => Education::D1,
        "d2" | "dii" => Education::D2,
        "d3" | "diii" => Education::D3,
        "d4" | "div" => Education::D4,
        "s1" => Education::S1,
        "s2" => Education::S2,
        "s3" => Education::S3,
        _ => {
            let expected = ["SD", "SMP", "SMA/SLTA", "D1", "D2", "D3", "D4", "S1", "S2", "S3"];
            return Err(ValidationError::unknown("", shown(s), &expected));
        }
    };
    Ok(education)
}

fn parse_status(s: &str) -> Result<bool, ValidationError> {
    match key(s).as_str() {
        "aktif" | "active" => Ok(true),
        "tidakaktif" | "nonaktif" | "inactive" | "pensiun" | "berhenti" | "diberhentikan" | "meninggal"
        | "meninggaldunia" | "keluar" | "mutasikeluar" => Ok(false),
        _ => Err(ValidationError::unknown("", shown(s), &["aktif", "tidak aktif", "pensiun", "berhenti", "keluar"])),
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
