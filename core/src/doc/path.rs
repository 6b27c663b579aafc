//! Field paths such as `targets/3f9c0a1b2c4d/realisation` or
//! `behaviour/kompeten`: list items are named by their stable `id`, not their
//! position, so a path still points at the same item after others were
//! inserted on another device.

use automerge::{AutoCommit, ChangeHash, ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value};

/// The `id` of the list item at `index`, or the index itself.
pub(crate) fn item_label(am: &AutoCommit, list: &ObjId, index: usize, heads: Option<&[ChangeHash]>) -> String {
    let item = match heads {
        Some(h) => am.get_at(list, index, h),
        None => am.get(list, index),
    };
    if let Ok(Some((Value::Object(ObjType::Map), item))) = item {
        let id = match heads {
            Some(h) => am.get_at(&item, "id", h),
            None => am.get(&item, "id"),
        };
        if let Ok(Some((Value::Scalar(s), _))) = id
            && let ScalarValue::Str(id) = s.as_ref()
        {
            return id.to_string();
        }
    }
    index.to_string()
}

/// Render one step of a path.
pub(crate) fn segment(am: &AutoCommit, parent: &ObjId, prop: &Prop, heads: Option<&[ChangeHash]>) -> String {
    match prop {
        Prop::Map(key) => key.to_string(),
        Prop::Seq(i) => item_label(am, parent, *i, heads),
    }
}

pub(crate) fn join(parent: &str, seg: &str) -> String {
    if parent.is_empty() { seg.to_string() } else { format!("{parent}/{seg}") }
}

/// Find the object and property a path names in the current document.
pub(crate) fn resolve(am: &AutoCommit, path: &str) -> Option<(ObjId, Prop)> {
    let mut obj = automerge::ROOT;
    let mut segments = path.split('/').peekable();
    while let Some(seg) = segments.next() {
        let prop = prop_in(am, &obj, seg)?;
        if segments.peek().is_none() {
            return Some((obj, prop));
        }
        match am.get(&obj, prop).ok()?? {
            (Value::Object(_), child) => obj = child,
            _ => return None,
        }
    }
    None
}

fn prop_in(am: &AutoCommit, obj: &ObjId, seg: &str) -> Option<Prop> {
    match am.object_type(obj).ok()? {
        ObjType::Map | ObjType::Table => Some(Prop::Map(seg.to_string())),
        ObjType::List => {
            let len = am.length(obj);
            (0..len).find(|i| item_label(am, obj, *i, None) == seg).map(Prop::Seq)
        }
        ObjType::Text => None,
    }
}

/// A scalar as JSON, for reports and APIs.
pub(crate) fn scalar_json(s: &ScalarValue) -> serde_json::Value {
    use serde_json::Value as J;
    match s {
        ScalarValue::Str(v) => J::String(v.to_string()),
        ScalarValue::Int(v) => J::from(*v),
        ScalarValue::Uint(v) => J::from(*v),
        ScalarValue::F64(v) => serde_json::Number::from_f64(*v).map(J::Number).unwrap_or(J::Null),
        ScalarValue::Counter(c) => J::from(i64::from(c)),
        ScalarValue::Timestamp(v) => J::from(*v),
        ScalarValue::Boolean(v) => J::Bool(*v),
        ScalarValue::Null => J::Null,
        other => J::String(other.to_string()),
    }
}
