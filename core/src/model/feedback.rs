//! Citizen feedback (SKM, REFERENCE §2): one submission from one citizen.
//!
//! Each submission is its own document with a UUIDv7 id made on the kiosk,
//! so sending it twice (after a timeout) merges into the same document and
//! is counted once. No NIK is asked for or stored.

use autosurgeon::{Hydrate, Reconcile};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::org::{max_len, non_empty};
use crate::error::ValidationError;
use crate::model::time::timestamp;
use crate::rules::nip::Nip;
use crate::rules::skm::Scores;

pub const MAX_MINUTES_WAITED: u32 = 24 * 60;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Feedback {
    pub unit_id: String,
    /// The service received, e.g. "Perekaman KTP-el".
    pub service: String,
    /// U1..U9, each 1–4.
    #[autosurgeon(with = "scores_map")]
    pub scores: Scores,
    pub minutes_waited: u32,
    pub comment: String,
    pub channel: Channel,
    /// Device time of the submission.
    #[autosurgeon(with = "timestamp")]
    pub submitted_at: DateTime<Utc>,
    /// The officer who served, if the citizen names them (counts in that
    /// officer's appraisal evidence).
    pub officer_nip: Option<Nip>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[autosurgeon(rename = "kiosk")]
    Kiosk,
    #[autosurgeon(rename = "web")]
    Web,
    #[autosurgeon(rename = "app")]
    App,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Self::Kiosk, Self::Web, Self::App];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Web => "web",
            Self::App => "app",
        }
    }
}

impl Feedback {
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("unit_id", &self.unit_id, 64)?;
        non_empty("service", &self.service, 200)?;
        max_len("comment", &self.comment, 2000)?;
        // Scores are validated by their type; re-check values hydrated from
        // a document written by someone else.
        Scores::new(self.scores.as_array())?;
        if self.minutes_waited > MAX_MINUTES_WAITED {
            return Err(ValidationError::out_of_range("minutes_waited", self.minutes_waited, 0, MAX_MINUTES_WAITED));
        }
        Ok(())
    }
}

/// autosurgeon adaptor: SKM scores as a map `{"u1": 4, …, "u9": 3}`, the
/// shape another automerge client can read without our types.
mod scores_map {
    use autosurgeon::reconcile::MapReconciler;
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};

    use crate::rules::skm::Scores;

    const KEYS: [&str; 9] = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"];

    pub fn reconcile<R: Reconciler>(s: &Scores, mut r: R) -> Result<(), R::Error> {
        let mut m = r.map()?;
        for (k, v) in KEYS.iter().zip(s.as_array()) {
            m.put(k, u64::from(v))?;
        }
        Ok(())
    }

    pub fn hydrate<D: ReadDoc>(doc: &D, obj: &automerge::ObjId, prop: Prop<'_>) -> Result<Scores, HydrateError> {
        let map = std::collections::BTreeMap::<String, u64>::hydrate(doc, obj, prop)?;
        let mut values = [0u8; 9];
        for (slot, k) in values.iter_mut().zip(KEYS) {
            let v = map.get(k).copied().ok_or_else(|| HydrateError::unexpected("an SKM score", format!("no {k}")))?;
            *slot = u8::try_from(v).map_err(|_| HydrateError::unexpected("a score 1-4", v.to_string()))?;
        }
        Scores::new(values).map_err(|e| HydrateError::unexpected("scores 1-4", e.to_string()))
    }
}
