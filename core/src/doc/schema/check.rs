//! Walk a document against its kind's schema and name the first field that
//! does not fit. Runs only when a document cannot be read as its Rust type,
//! to say why precisely: reading stays the single authority on what fits.

use automerge::{ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value};

use super::{Field, Format, Keys, Ty, of};
use crate::doc::DocKind;
use crate::error::{Reason, Shape, ValidationError};

/// `Ok` when every field of `kind` is present with its type, spelling and
/// format; otherwise the first mismatch, its path (`targets[2].target`,
/// `scores.u5`) in `field`.
pub fn check(doc: &impl ReadDoc, kind: DocKind) -> Result<(), ValidationError> {
    fields(doc, &automerge::ROOT, &of(kind).fields, "")
}

type Found<'a> = Option<(Value<'a>, ObjId)>;

fn fields(doc: &impl ReadDoc, obj: &ObjId, fields: &[Field], prefix: &str) -> Result<(), ValidationError> {
    for f in fields {
        let path = if prefix.is_empty() { f.name.to_string() } else { format!("{prefix}.{}", f.name) };
        value(doc, get(doc, obj, f.name), &f.ty, &path)?;
    }
    Ok(())
}

fn get<'a>(doc: &'a impl ReadDoc, obj: &ObjId, prop: impl Into<Prop>) -> Found<'a> {
    doc.get(obj, prop).ok().flatten()
}

fn value(doc: &impl ReadDoc, found: Found<'_>, ty: &Ty, path: &str) -> Result<(), ValidationError> {
    let refuse = |found: Shape| Err(mismatch(path, expected(ty), found));
    let Some((v, id)) = found else { return refuse(Shape::Absent) };
    match (ty, &v) {
        (Ty::Nullable(_), Value::Scalar(s)) if s.is_null() => Ok(()),
        (Ty::Nullable(inner), _) => value(doc, Some((v, id)), inner, path).map_err(|mut e| {
            // "null or …" about this field itself, not about one inside it.
            if let (true, Reason::Shape { expected, .. }) = (e.field == path, &mut e.reason) {
                *expected = Shape::Nullable(Box::new(expected.clone()));
            }
            e
        }),
        (Ty::Str(format), Value::Scalar(s)) => match s.as_ref() {
            ScalarValue::Str(text) => formatted(*format, text, path),
            _ => refuse(scalar_shape(s)),
        },
        (Ty::F64, Value::Scalar(s)) if matches!(s.as_ref(), ScalarValue::F64(_)) => Ok(()),
        (Ty::Bool, Value::Scalar(s)) if matches!(s.as_ref(), ScalarValue::Boolean(_)) => Ok(()),
        (Ty::Uint { min, max }, Value::Scalar(s)) => match s.as_ref() {
            ScalarValue::Uint(n) if (min..=max).contains(&n) => Ok(()),
            ScalarValue::Uint(n) => refuse(Shape::Value(n.to_string())),
            _ => refuse(scalar_shape(s)),
        },
        (Ty::Enum(names), Value::Scalar(s)) => match s.as_ref() {
            ScalarValue::Str(text) if names.iter().any(|n| n == text.as_str()) => Ok(()),
            ScalarValue::Str(text) => refuse(Shape::Value(text.to_string())),
            _ => refuse(scalar_shape(s)),
        },
        (Ty::Map { keys, value: inner }, Value::Object(ObjType::Map)) => map(doc, &id, keys, inner, path),
        (Ty::List(item), Value::Object(ObjType::List)) => {
            for i in 0..doc.length(&id) {
                let at = format!("{path}[{i}]");
                match get(doc, &id, i) {
                    Some((Value::Object(ObjType::Map), obj)) => fields(doc, &obj, item, &at)?,
                    other => return Err(mismatch(&at, Shape::Map, shape_of(&other.map(|(v, _)| (v, ()))))),
                }
            }
            Ok(())
        }
        (Ty::Variant { units, .. }, Value::Scalar(s)) => match s.as_ref() {
            ScalarValue::Str(text) if units.iter().any(|n| n == text.as_str()) => Ok(()),
            ScalarValue::Str(text) => refuse(Shape::Value(text.to_string())),
            _ => refuse(scalar_shape(s)),
        },
        (Ty::Variant { tagged, .. }, Value::Object(ObjType::Map)) => {
            let keys: Vec<String> = doc.keys(&id).collect();
            match keys.as_slice() {
                [key] => match tagged.iter().find(|(tag, _)| tag == key) {
                    Some((tag, inner)) => value(doc, get(doc, &id, tag.as_str()), inner, &format!("{path}.{tag}")),
                    None => refuse(Shape::Value(key.clone())),
                },
                _ => refuse(Shape::Map),
            }
        }
        _ => refuse(shape_of(&Some((v, ())))),
    }
}

fn map(doc: &impl ReadDoc, obj: &ObjId, keys: &Keys, inner: &Ty, path: &str) -> Result<(), ValidationError> {
    let names = match keys {
        Keys::AnyOf(names) | Keys::All(names) => names,
    };
    if let Keys::All(names) = keys {
        for k in names {
            value(doc, get(doc, obj, k.as_str()), inner, &format!("{path}.{k}"))?;
        }
    }
    for k in doc.keys(obj) {
        if matches!(keys, Keys::AnyOf(_)) && !names.contains(&k) {
            return Err(mismatch(&format!("{path}.{k}"), Shape::Key(spellings(names)), Shape::Value(k)));
        }
        value(doc, get(doc, obj, k.as_str()), inner, &format!("{path}.{k}"))?;
    }
    Ok(())
}

fn formatted(format: Format, text: &str, path: &str) -> Result<(), ValidationError> {
    let fits = match format {
        Format::Plain => true,
        Format::Nip => crate::rules::nip::Nip::parse(text).is_ok(),
        Format::Date => crate::model::time::parse_date(path, text).is_ok(),
        Format::Timestamp => crate::model::time::parse_timestamp(path, text).is_ok(),
        Format::PeriodCode => crate::model::period::validate_code(text).is_ok(),
    };
    if fits { Ok(()) } else { Err(mismatch(path, Shape::Format(format), Shape::Value(text.to_string()))) }
}

fn mismatch(path: &str, expected: Shape, found: Shape) -> ValidationError {
    ValidationError::new(path, Reason::Shape { expected, found })
}

/// What `ty` expects, as said in a refusal.
pub(super) fn expected(ty: &Ty) -> Shape {
    match ty {
        Ty::Str(Format::Plain) => Shape::Str,
        Ty::Str(f) => Shape::Format(*f),
        Ty::F64 => Shape::F64,
        Ty::Uint { min: 0, max } if *max >= u64::from(u32::MAX) => Shape::Uint,
        Ty::Uint { min, max } => Shape::UintIn { min: *min, max: *max },
        Ty::Bool => Shape::Bool,
        Ty::Enum(names) => Shape::OneOf(spellings(names)),
        Ty::Nullable(inner) => Shape::Nullable(Box::new(expected(inner))),
        Ty::Map { .. } => Shape::Map,
        Ty::List(_) => Shape::List,
        Ty::Variant { units, tagged } => {
            let mut all: Vec<String> = units.clone();
            all.extend(tagged.iter().map(|(tag, _)| format!("{{{tag}: …}}")));
            Shape::OneOf(spellings(&all))
        }
    }
}

fn spellings(names: &[String]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

fn shape_of<T>(found: &Option<(Value<'_>, T)>) -> Shape {
    match found {
        None => Shape::Absent,
        Some((Value::Scalar(s), _)) => scalar_shape(s),
        Some((Value::Object(ObjType::Text), _)) => Shape::Text,
        Some((Value::Object(ObjType::List), _)) => Shape::List,
        Some((Value::Object(ObjType::Map | ObjType::Table), _)) => Shape::Map,
    }
}

fn scalar_shape(s: &ScalarValue) -> Shape {
    match s {
        ScalarValue::Null => Shape::Null,
        ScalarValue::Str(_) => Shape::Str,
        ScalarValue::F64(_) => Shape::F64,
        ScalarValue::Int(_) => Shape::Int,
        ScalarValue::Uint(_) => Shape::Uint,
        ScalarValue::Boolean(_) => Shape::Bool,
        ScalarValue::Timestamp(_) => Shape::OtherScalar("timestamp".into()),
        ScalarValue::Counter(_) => Shape::OtherScalar("counter".into()),
        ScalarValue::Bytes(_) => Shape::OtherScalar("bytes".into()),
        ScalarValue::Unknown { .. } => Shape::OtherScalar("unknown scalar".into()),
    }
}
