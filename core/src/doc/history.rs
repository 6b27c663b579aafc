//! History: who changed what, when, from which device.
//!
//! Each automerge change carries its actor (the device), its message (the
//! person) and its time (the device clock). The fields it touched are read
//! by diffing the document from the change's dependencies to the change.

use automerge::{AutoCommit, ChangeHash, PatchAction, Value};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::path::{join, scalar_json, segment};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The change hash (hex): stable across every copy of the document.
    pub hash: String,
    /// The device (automerge actor id, hex).
    pub device: String,
    pub user: Option<String>,
    /// By the writing device's clock, which may be wrong.
    pub at: Option<DateTime<Utc>>,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub path: String,
    /// The new value; `None` when the field or item was removed.
    pub value: Option<serde_json::Value>,
}

/// Every change but the shared genesis (time 0, no author), oldest first.
pub(crate) fn read(am: &mut AutoCommit) -> Vec<HistoryEntry> {
    let metas: Vec<_> = am
        .get_changes_meta(&[])
        .into_iter()
        .filter(|m| !(m.message.is_none() && m.timestamp == 0 && m.seq == 1))
        .map(|m| (m.hash, m.deps.clone(), m.actor.to_hex_string(), m.message.map(|s| s.into_owned()), m.timestamp))
        .collect();
    metas
        .into_iter()
        .map(|(hash, deps, device, user, ms)| HistoryEntry {
            hash: hash.to_string(),
            device,
            user,
            at: DateTime::<Utc>::from_timestamp_millis(ms),
            changes: fields_changed(am, &deps, hash),
        })
        .collect()
}

fn fields_changed(am: &mut AutoCommit, before: &[ChangeHash], hash: ChangeHash) -> Vec<FieldChange> {
    let after = [hash];
    let patches = am.diff(before, &after);
    let mut out = Vec::new();
    for p in patches {
        let heads: &[ChangeHash] = match p.action {
            PatchAction::DeleteSeq { .. } => before,
            _ => &after,
        };
        let mut path = String::new();
        for (parent, prop) in &p.path {
            path = join(&path, &segment(am, parent, prop, Some(heads)));
        }
        let (seg, value) = match p.action {
            PatchAction::PutMap { key, value: (Value::Scalar(s), _), .. } => (key, Some(scalar_json(&s))),
            PatchAction::PutSeq { index, value: (Value::Scalar(s), _), .. } => {
                (segment(am, &p.obj, &automerge::Prop::Seq(index), Some(heads)), Some(scalar_json(&s)))
            }
            PatchAction::DeleteMap { key } => (key, None),
            PatchAction::DeleteSeq { index, .. } => {
                (segment(am, &p.obj, &automerge::Prop::Seq(index), Some(heads)), None)
            }
            // New containers and list items show through the fields put
            // into them; counters, text and marks are not used by Prestasi.
            _ => continue,
        };
        out.push(FieldChange { path: join(&path, &seg), value });
    }
    out
}
