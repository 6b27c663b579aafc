//! The document schema (`prestasi_core::doc::schema`) against what the
//! Rust types really read and write: every sample fits it, every field with
//! a wrong type, a missing key or a value just over its limit is refused at
//! its path, every document generated from the schema can be read, and
//! docs/PROTOCOL.md shows the schema the code has.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue};
use prestasi_core::doc::schema::{self, Field, Format, Keys, Limit, Ty};
use prestasi_core::doc::{DocError, DocKind, Document, Record};
use prestasi_core::model::{Allowance, Appraisal, Award, DocId, Employee, Feedback, Mentoring, Training, Unit};
use prestasi_core::{Reason, ValidationError};

/// Load `bytes` as `kind`, read the record and validate it.
fn read(kind: DocKind, id: DocId, bytes: &[u8]) -> Result<(), ValidationError> {
    read_record(kind, id, bytes)?
}

/// Load and read only: the outer error is a refusal to read, the inner one
/// the record's own validation.
fn read_record(kind: DocKind, id: DocId, bytes: &[u8]) -> Result<Result<(), ValidationError>, ValidationError> {
    fn typed<T: Record>(id: DocId, bytes: &[u8]) -> Result<Result<(), ValidationError>, ValidationError> {
        let doc = Document::<T>::load(id, bytes).map_err(|e| panic!("load: {e}")).unwrap();
        match doc.value() {
            Ok(v) => Ok(v.validate()),
            Err(DocError::Validation(v)) => Err(v),
            Err(e) => panic!("not a validation error: {e}"),
        }
    }
    match kind {
        DocKind::Employee => typed::<Employee>(id, bytes),
        DocKind::Unit => typed::<Unit>(id, bytes),
        DocKind::Appraisal => typed::<Appraisal>(id, bytes),
        DocKind::Feedback => typed::<Feedback>(id, bytes),
        DocKind::Training => typed::<Training>(id, bytes),
        DocKind::Mentoring => typed::<Mentoring>(id, bytes),
        DocKind::Allowance => typed::<Allowance>(id, bytes),
        DocKind::Award => typed::<Award>(id, bytes),
    }
}

/// One place in a sample document where a schema field lives.
#[derive(Debug, Clone)]
struct Site {
    obj: ObjId,
    key: String,
    ty: Ty,
    limit: Limit,
    path: String,
    /// A map entry (its key cannot be "missing" the way a field can).
    entry: bool,
}

fn sites(am: &AutoCommit, obj: &ObjId, fields: &[Field], prefix: &str, out: &mut Vec<Site>) {
    for f in fields {
        let path = if prefix.is_empty() { f.name.to_string() } else { format!("{prefix}.{}", f.name) };
        let site = |ty: &Ty, limit: &Limit, obj: &ObjId, key: &str, path: String, entry| Site {
            obj: obj.clone(),
            key: key.to_string(),
            ty: ty.clone(),
            limit: limit.clone(),
            path,
            entry,
        };
        out.push(site(&f.ty, &f.limit, obj, f.name, path.clone(), false));
        let inner = am.get(obj, f.name).unwrap().map(|(_, id)| id);
        match (&f.ty, inner) {
            (Ty::List(item), Some(list)) => {
                assert!(am.length(&list) > 0, "the {path} sample needs an item");
                let (_, first) = am.get(&list, 0).unwrap().unwrap();
                sites(am, &first, item, &format!("{path}[0]"), out);
            }
            (Ty::Map { value, .. }, Some(map)) => {
                let key = am.keys(&map).next().unwrap_or_else(|| panic!("the {path} sample needs an entry"));
                out.push(site(value, &f.limit, &map, &key, format!("{path}.{key}"), true));
            }
            _ => {}
        }
    }
}

fn all_sites() -> Vec<(DocKind, DocId, AutoCommit, Site)> {
    let mut out = Vec::new();
    for (kind, id, bytes) in common::samples() {
        let am = AutoCommit::load(&bytes).unwrap();
        let mut found = Vec::new();
        sites(&am, &automerge::ROOT, &schema::of(kind).fields, "", &mut found);
        out.extend(found.into_iter().map(|s| (kind, id, am.clone(), s)));
    }
    out
}

/// The outcome of reading the sample with `change` applied at `site`.
fn with(
    kind: DocKind,
    id: DocId,
    am: &AutoCommit,
    site: &Site,
    change: impl FnOnce(&mut AutoCommit, &Site),
) -> Result<(), ValidationError> {
    let mut am = am.clone();
    change(&mut am, site);
    am.commit();
    read(kind, id, &am.save())
}

fn put(v: impl Into<ScalarValue>) -> impl FnOnce(&mut AutoCommit, &Site) {
    let v = v.into();
    move |am, s| am.put(&s.obj, s.key.as_str(), v).unwrap()
}

#[test]
fn every_sample_fits_its_schema_and_reads() {
    for (kind, id, bytes) in common::samples() {
        let am = AutoCommit::load(&bytes).unwrap();
        schema::check(&am, kind).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        read(kind, id, &bytes).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    }
}

/// A value of the wrong automerge type, for each field type.
fn wrong(ty: &Ty) -> (ScalarValue, &'static str) {
    match ty {
        Ty::Str(_) | Ty::Bool | Ty::Map { .. } | Ty::List(_) => (ScalarValue::Int(5), "int"),
        Ty::F64 | Ty::Uint { .. } => (ScalarValue::Int(120), "int"),
        Ty::Enum(_) | Ty::Variant { .. } => (ScalarValue::Str("Tidak Ada".into()), "value"),
        Ty::Nullable(inner) => wrong(inner),
    }
}

#[test]
fn a_field_of_the_wrong_type_is_refused_at_its_path() {
    let mut checked = 0;
    for (kind, id, am, site) in all_sites() {
        let (value, what) = wrong(&site.ty);
        let e = with(kind, id, &am, &site, put(value)).expect_err(&site.path);
        assert_eq!(e.field, site.path, "{kind:?} {what}: {e}");
        assert!(matches!(e.reason, Reason::Shape { .. }), "{}: {e}", site.path);
        checked += 1;
    }
    assert!(checked > 60, "only {checked} fields checked");
}

#[test]
fn a_plain_javascript_string_is_text_and_refused_as_such() {
    for (kind, id, am, site) in all_sites() {
        if !matches!(site.ty, Ty::Str(_) | Ty::Enum(_)) {
            continue;
        }
        let e = with(kind, id, &am, &site, |am, s| {
            am.put_object(&s.obj, s.key.as_str(), ObjType::Text).unwrap();
        })
        .expect_err(&site.path);
        assert_eq!(e.field, site.path);
        assert!(e.user_message().contains("diterima teks kolaboratif (objek Text)"), "{}", e.user_message());
    }
}

#[test]
fn a_missing_field_is_refused_even_when_it_may_be_null() {
    for (kind, id, am, site) in all_sites() {
        if site.entry {
            continue;
        }
        let e = with(kind, id, &am, &site, |am, s| am.delete(&s.obj, s.key.as_str()).unwrap()).expect_err(&site.path);
        assert_eq!(e.field, site.path, "{kind:?}: {e}");
        assert!(e.user_message().contains("diterima tidak ada"), "{}", e.user_message());
    }
}

#[test]
fn refusals_name_the_path_and_the_types_in_indonesian() {
    let (kind, id, bytes) = common::sample(DocKind::Appraisal);
    let am = AutoCommit::load(&bytes).unwrap();
    let site = all_sites().into_iter().find(|(_, _, _, s)| s.path == "targets[0].target").unwrap().3;
    let e = with(kind, id, &am, &site, put(ScalarValue::Int(120))).unwrap_err();
    assert_eq!(e.user_message(), "targets[0].target: angka desimal (f64), diterima bilangan bulat (int).");
    assert_eq!(e.to_string(), "targets[0].target: expected an f64, found an int");

    // An SKM score of 5 is a value out of the schema, not broken bytes.
    let (kind, id, bytes) = common::sample(DocKind::Feedback);
    let am = AutoCommit::load(&bytes).unwrap();
    let site = all_sites().into_iter().find(|(_, _, _, s)| s.path == "scores.u1").unwrap().3;
    let e = with(kind, id, &am, &site, put(ScalarValue::Uint(5))).unwrap_err();
    assert_eq!(e.field, "scores.u1");
    assert_eq!(e.user_message(), "scores.u1: bilangan cacah (uint) 1–4, diterima \"5\".");

    let site = all_sites().into_iter().find(|(_, _, _, s)| s.path == "channel").unwrap().3;
    let e = with(kind, id, &am, &site, put("email")).unwrap_err();
    assert_eq!(e.user_message(), "channel: salah satu dari \"kiosk\", \"web\", \"app\", diterima \"email\".");
}

#[test]
fn a_value_just_over_each_documented_limit_is_refused_at_its_path() {
    let mut checked = 0;
    for (kind, id, am, site) in all_sites() {
        let over: Vec<ScalarValue> = match (&site.limit, &site.ty) {
            (Limit::Chars { min, max }, Ty::Str(_) | Ty::Map { .. })
                if !matches!(site.ty, Ty::Map { .. }) || site.entry =>
            {
                let mut v = vec![ScalarValue::Str("x".repeat(max + 1).into())];
                if *min > 0 {
                    v.push(ScalarValue::Str("  ".into()));
                }
                v
            }
            (Limit::Range { min, max }, Ty::F64) => vec![ScalarValue::F64(max + 1.0), ScalarValue::F64(min - 1.0)],
            (Limit::Range { min, max }, Ty::Uint { .. }) => {
                let mut v = vec![ScalarValue::Uint(*max as u64 + 1)];
                if *min >= 1.0 {
                    v.push(ScalarValue::Uint(*min as u64 - 1));
                }
                v
            }
            (Limit::NonNegative, _) => vec![ScalarValue::F64(-0.5), ScalarValue::F64(f64::INFINITY)],
            _ => continue,
        };
        for v in over {
            let e = with(kind, id, &am, &site, put(v.clone())).expect_err(&format!("{} = {v}", site.path));
            assert_eq!(e.field, site.path, "{kind:?} {v}: {e}");
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} limits checked");
    // Lists: one item too many.
    let mut a = common::appraisal();
    let t = a.targets[0].clone();
    a.targets = (0..=prestasi_core::model::appraisal::MAX_TARGETS)
        .map(|i| prestasi_core::model::SkpTarget { id: format!("t{i}"), ..t.clone() })
        .collect();
    assert_eq!(a.validate().unwrap_err().field, "targets");
}

/// A small deterministic generator (xorshift), enough to vary shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, names: &'a [String]) -> &'a str {
        &names[self.below(names.len())]
    }
}

fn fill(am: &mut AutoCommit, obj: &ObjId, key: &str, ty: &Ty, rng: &mut Rng) {
    let scalar = |am: &mut AutoCommit, v: ScalarValue| am.put(obj, key, v).unwrap();
    match ty {
        Ty::Str(Format::Nip) => scalar(am, [common::STAFF, common::BOSS, common::REVIEWER][rng.below(3)].into()),
        Ty::Str(Format::Date) => {
            scalar(am, format!("20{:02}-{:02}-{:02}", rng.below(30), 1 + rng.below(12), 1 + rng.below(28)).into())
        }
        Ty::Str(Format::Timestamp) => scalar(am, "2026-09-23T20:32:53.000Z".into()),
        Ty::Str(Format::PeriodCode) => scalar(am, ["2026-Q3", "2027", "2026-S1"][rng.below(3)].into()),
        Ty::Str(Format::Plain) => scalar(am, ["", "a", "Layanan KTP-el", "ü ✓"][rng.below(4)].into()),
        Ty::F64 => scalar(am, ScalarValue::F64(rng.below(1000) as f64 / 4.0)),
        Ty::Uint { min, max } => scalar(am, ScalarValue::Uint(min + rng.next() % (max - min + 1).min(5000))),
        Ty::Bool => scalar(am, ScalarValue::Boolean(rng.below(2) == 0)),
        Ty::Enum(names) => scalar(am, rng.pick(names).into()),
        Ty::Nullable(inner) => {
            if rng.below(2) == 0 {
                scalar(am, ScalarValue::Null)
            } else {
                fill(am, obj, key, inner, rng)
            }
        }
        Ty::Map { keys, value } => {
            let map = am.put_object(obj, key, ObjType::Map).unwrap();
            let (names, every) = match keys {
                Keys::AnyOf(n) => (n, false),
                Keys::All(n) => (n, true),
            };
            for k in names {
                if every || rng.below(2) == 0 {
                    fill(am, &map, k, value, rng);
                }
            }
        }
        Ty::List(item) => {
            let list = am.put_object(obj, key, ObjType::List).unwrap();
            for i in 0..rng.below(4) {
                let m = am.insert_object(&list, i, ObjType::Map).unwrap();
                for f in item {
                    fill(am, &m, f.name, &f.ty, rng);
                }
            }
        }
        Ty::Variant { units, tagged } => {
            if rng.below(2) == 0 {
                scalar(am, rng.pick(units).into())
            } else {
                let (tag, inner) = &tagged[rng.below(tagged.len())];
                let m = am.put_object(obj, key, ObjType::Map).unwrap();
                fill(am, &m, tag, inner, rng);
            }
        }
    }
}

/// The schema is never stricter than needed and never looser than what can
/// be read: any document built from it alone (as another implementation
/// would) reads as its kind.
#[test]
fn every_document_built_from_the_schema_alone_reads() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for kind in DocKind::ALL {
        for _ in 0..200 {
            let mut am = AutoCommit::new();
            am.put(automerge::ROOT, "_kind", kind.as_str()).unwrap();
            am.put(automerge::ROOT, "_schema", ScalarValue::Uint(1)).unwrap();
            for f in schema::of(kind).fields {
                fill(&mut am, &automerge::ROOT, f.name, &f.ty, &mut rng);
            }
            am.commit();
            schema::check(&am, kind).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            if let Err(e) = read_record(kind, DocId::new(), &am.save()) {
                panic!("{kind:?} built from the schema does not read: {e}");
            }
        }
    }
}

/// docs/PROTOCOL.md shows the schema of the code. `PRESTASI_BLESS=1`
/// rewrites the generated part after a schema change.
#[test]
fn the_protocol_document_shows_this_schema() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md");
    let text = std::fs::read_to_string(path).unwrap();
    let (begin, end) = (
        "<!-- schema:begin (generated by `PRESTASI_BLESS=1 cargo test -p prestasi-core --test schema`) -->\n",
        "<!-- schema:end -->",
    );
    let start = text.find(begin).expect("PROTOCOL.md has the schema:begin marker") + begin.len();
    let stop = text.find(end).expect("PROTOCOL.md has the schema:end marker");
    let generated = schema::markdown();
    if std::env::var_os("PRESTASI_BLESS").is_some() {
        std::fs::write(path, format!("{}{generated}{}", &text[..start], &text[stop..])).unwrap();
        return;
    }
    assert!(
        text[start..stop] == generated,
        "PROTOCOL.md's document tables differ from the schema in core/src/doc/schema; run PRESTASI_BLESS=1 cargo test -p prestasi-core --test schema"
    );
}
