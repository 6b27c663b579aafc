//! Conflicts: a field that two devices set to different values without
//! seeing each other's write.
//!
//! automerge keeps every concurrent value of a map key (`get_all`) and shows
//! one deterministically. Every scalar field is checked — ratings,
//! realisations, targets, status, notes — and reported when the concurrent
//! values differ. Additions to keyed lists (targets, dialog notes,
//! innovations, mentoring sessions) and to different keys of a map merge
//! silently: they are not conflicts.

use automerge::{ActorId, AutoCommit, ObjId, ObjType, Prop, ReadDoc, ScalarValue, Value};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::path::{join, scalar_json, segment};

/// One field with more than one concurrent value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// E.g. `targets/3f9c0a1b2c4d/realisation`.
    pub path: String,
    /// Every concurrent value, in automerge's order; `shown` marks the one
    /// the merged document displays.
    pub values: Vec<ConflictValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictValue {
    pub value: serde_json::Value,
    #[serde(skip)]
    pub(crate) scalar: ScalarValue,
    /// The device (automerge actor id, hex) that wrote it.
    pub device: String,
    /// The person who wrote it (the change's message).
    pub user: Option<String>,
    /// When, by the writing device's clock.
    pub at: Option<DateTime<Utc>>,
    pub shown: bool,
}

/// Who wrote which operations: (actor, first op counter, user, time).
struct Writers(Vec<(ActorId, u64, Option<String>, i64)>);

impl Writers {
    fn of(am: &mut AutoCommit) -> Self {
        let mut w: Vec<_> = am
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| (m.actor.into_owned(), m.start_op, m.message.map(|s| s.into_owned()), m.timestamp))
            .collect();
        w.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        Self(w)
    }

    /// How many actors wrote changes with content beyond a shared genesis.
    fn actors(&self) -> usize {
        let mut actors: Vec<&ActorId> =
            self.0.iter().filter(|(_, _, user, time)| user.is_some() || *time != 0).map(|(a, _, _, _)| a).collect();
        actors.dedup();
        actors.len()
    }

    /// The change by `actor` whose ops include `counter`.
    fn find(&self, actor: &ActorId, counter: u64) -> Option<&(ActorId, u64, Option<String>, i64)> {
        self.0.iter().filter(|(a, start, _, _)| a == actor && *start <= counter).max_by_key(|(_, start, _, _)| *start)
    }
}

pub(crate) fn find(am: &mut AutoCommit) -> Vec<Conflict> {
    let writers = Writers::of(am);
    // One actor's changes are totally ordered: no concurrent values are
    // possible, so most documents skip the walk. (The shared genesis writes
    // no field values.)
    if writers.actors() <= 1 {
        return Vec::new();
    }
    let mut out = Vec::new();
    walk(am, &automerge::ROOT, "", &writers, &mut out);
    out
}

fn walk(am: &AutoCommit, obj: &ObjId, path: &str, writers: &Writers, out: &mut Vec<Conflict>) {
    match am.object_type(obj) {
        Ok(ObjType::Map | ObjType::Table) => {
            for key in am.keys(obj).collect::<Vec<_>>() {
                if path.is_empty() && key.starts_with('_') {
                    continue; // document metadata (_kind, _schema)
                }
                visit(am, obj, Prop::Map(key), path, writers, out);
            }
        }
        Ok(ObjType::List) => {
            for i in 0..am.length(obj) {
                visit(am, obj, Prop::Seq(i), path, writers, out);
            }
        }
        _ => {}
    }
}

fn visit(am: &AutoCommit, obj: &ObjId, prop: Prop, path: &str, writers: &Writers, out: &mut Vec<Conflict>) {
    let here = join(path, &segment(am, obj, &prop, None));
    let all = am.get_all(obj, prop.clone()).unwrap_or_default();
    let scalars: Vec<(ScalarValue, ObjId)> = all
        .iter()
        .filter_map(|(v, id)| match v {
            Value::Scalar(s) => Some((s.as_ref().clone(), id.clone())),
            Value::Object(_) => None,
        })
        .collect();
    let distinct = scalars.iter().any(|(s, _)| scalars.first().is_some_and(|(f, _)| f != s));
    if distinct {
        let shown = am.get(obj, prop.clone()).ok().flatten().map(|(_, id)| id);
        let values = scalars
            .into_iter()
            .map(|(scalar, id)| {
                let (device, user, at) = match &id {
                    ObjId::Id(counter, actor, _) => match writers.find(actor, *counter) {
                        Some((_, _, user, ms)) => {
                            (actor.to_hex_string(), user.clone(), DateTime::<Utc>::from_timestamp_millis(*ms))
                        }
                        None => (actor.to_hex_string(), None, None),
                    },
                    ObjId::Root => (String::new(), None, None),
                };
                ConflictValue {
                    value: scalar_json(&scalar),
                    scalar,
                    device,
                    user,
                    at,
                    shown: shown.as_ref() == Some(&id),
                }
            })
            .collect();
        out.push(Conflict { path: here.clone(), values });
    }
    if let Ok(Some((Value::Object(_), child))) = am.get(obj, prop) {
        walk(am, &child, &here, writers, out);
    }
}
