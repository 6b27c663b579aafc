//! The performance appraisal (SKP) of one employee in one period.
//!
//! One appraisal is one automerge document. Lists hold items keyed by a
//! stable `id` so that two tablets adding targets, notes or innovations
//! offline merge item by item. Scalars (ratings, realisations, status) are
//! plain values: if two devices set the same one differently, the document
//! keeps both and [`crate::doc::Document::conflicts`] reports it.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, Reconcile};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::behaviour::BehaviourValue;
use super::org::{max_len, non_empty};
use crate::error::{Reason, ValidationError};
use crate::model::time::date;
use crate::rules::nip::Nip;
use crate::rules::predikat::{Predikat, Rating, predikat};

pub const MAX_TARGETS: usize = 50;
pub const MAX_NOTE_CHARS: usize = 4000;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Appraisal {
    pub employee_nip: Nip,
    /// Period code, e.g. `2026-Q3` (see [`crate::model::Period`]).
    pub period: String,
    pub unit_id: String,
    /// Pejabat Penilai Kinerja: normally the direct superior.
    pub appraiser_nip: Nip,
    /// Atasan Pejabat Penilai: reviews the appraisal.
    pub reviewer_nip: Option<Nip>,
    /// SKP targets (Hasil Kerja).
    pub targets: Vec<SkpTarget>,
    /// Perilaku Kerja: one rating per BerAKHLAK value.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub behaviour: BTreeMap<BehaviourValue, Rating>,
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub behaviour_notes: BTreeMap<BehaviourValue, String>,
    /// Overall Hasil Kerja rating, set by the appraiser.
    pub hasil_kerja: Option<Rating>,
    /// Overall Perilaku Kerja rating, set by the appraiser.
    pub perilaku: Option<Rating>,
    /// The appraiser's summary note (catatan).
    pub notes: String,
    /// Dialog kinerja: continuous feedback, appended by anyone involved.
    pub dialogues: Vec<DialogNote>,
    /// Innovations the employee achieved.
    pub innovations: Vec<Innovation>,
    pub status: AppraisalStatus,
}

/// One SKP target: an indicator with its target and realisation.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct SkpTarget {
    #[key]
    pub id: String,
    pub indicator: String,
    pub target: f64,
    pub realisation: Option<f64>,
    /// Unit of measure (satuan), e.g. "dokumen", "%".
    pub unit: String,
    /// Main (utama) targets weigh in the overall rating rule.
    pub main: bool,
    pub rating: Option<Rating>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct DialogNote {
    #[key]
    pub id: String,
    #[autosurgeon(with = "date")]
    pub date: NaiveDate,
    pub author_nip: String,
    pub text: String,
}

/// An innovation: what, when, and its measurable effect (e.g. "permohonan
/// KTP diproses 2 hari, sebelumnya 7 hari").
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Innovation {
    #[key]
    pub id: String,
    pub what: String,
    #[autosurgeon(with = "date")]
    pub date: NaiveDate,
    pub effect: String,
}

/// draft → submitted (appraiser) → reviewed (appraiser's superior) → locked
/// (HR). Only HR reopens a locked appraisal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Reconcile, Hydrate, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalStatus {
    #[autosurgeon(rename = "draft")]
    Draft,
    #[autosurgeon(rename = "submitted")]
    Submitted,
    #[autosurgeon(rename = "reviewed")]
    Reviewed,
    #[autosurgeon(rename = "locked")]
    Locked,
}

impl std::str::FromStr for AppraisalStatus {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AppraisalStatus {
    pub const ALL: [AppraisalStatus; 4] = [Self::Draft, Self::Submitted, Self::Reviewed, Self::Locked];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Reviewed => "reviewed",
            Self::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| ValidationError::unknown("status", s, &["draft", "submitted", "reviewed", "locked"]))
    }

    pub fn label_id(&self) -> &'static str {
        match self {
            Self::Draft => "Draf",
            Self::Submitted => "Diajukan",
            Self::Reviewed => "Direviu",
            Self::Locked => "Dikunci",
        }
    }
}

impl Appraisal {
    /// A new, empty draft.
    pub fn new(employee_nip: Nip, period: &str, unit_id: &str, appraiser_nip: Nip) -> Result<Self, ValidationError> {
        let a = Self {
            employee_nip,
            period: period.to_string(),
            unit_id: unit_id.to_string(),
            appraiser_nip,
            reviewer_nip: None,
            targets: Vec::new(),
            behaviour: BTreeMap::new(),
            behaviour_notes: BTreeMap::new(),
            hasil_kerja: None,
            perilaku: None,
            notes: String::new(),
            dialogues: Vec::new(),
            innovations: Vec::new(),
            status: AppraisalStatus::Draft,
        };
        a.validate()?;
        Ok(a)
    }

    /// The predikat kinerja, once both overall ratings are set.
    pub fn predikat(&self) -> Option<Predikat> {
        Some(predikat(self.hasil_kerja?, self.perilaku?))
    }

    pub fn target_mut(&mut self, id: &str) -> Result<&mut SkpTarget, ValidationError> {
        self.targets.iter_mut().find(|t| t.id == id).ok_or_else(|| {
            ValidationError::said(
                "targets",
                format!("no target with id {id:?}"),
                format!("tidak ada target dengan id {id}"),
            )
        })
    }

    /// Structure and value checks that do not depend on who edits.
    pub fn validate(&self) -> Result<(), ValidationError> {
        crate::model::period::validate_code(&self.period)?;
        non_empty("unit_id", &self.unit_id, 64)?;
        if self.appraiser_nip == self.employee_nip {
            return Err(ValidationError::said(
                "appraiser_nip",
                "an employee cannot appraise themselves",
                "pegawai tidak dapat menilai dirinya sendiri",
            ));
        }
        if let Some(r) = &self.reviewer_nip {
            if *r == self.employee_nip {
                return Err(ValidationError::said(
                    "reviewer_nip",
                    "an employee cannot review their own appraisal",
                    "pegawai tidak dapat mereviu penilaiannya sendiri",
                ));
            }
            if *r == self.appraiser_nip {
                return Err(ValidationError::said(
                    "reviewer_nip",
                    "the appraiser cannot also be the reviewer",
                    "penilai tidak dapat sekaligus menjadi atasan penilai",
                ));
            }
        }
        if self.targets.len() > MAX_TARGETS {
            return Err(ValidationError::out_of_range("targets", self.targets.len(), 0, MAX_TARGETS));
        }
        for (i, t) in self.targets.iter().enumerate() {
            t.validate().map_err(|e| e.within(&format!("targets[{i}]")))?;
            if self.targets.iter().filter(|o| o.id == t.id).count() > 1 {
                return Err(ValidationError::said(format!("targets[{i}].id"), "duplicate id", "id ganda"));
            }
        }
        for (v, note) in &self.behaviour_notes {
            max_len(&format!("behaviour_notes.{v}"), note, MAX_NOTE_CHARS)?;
        }
        max_len("notes", &self.notes, MAX_NOTE_CHARS)?;
        for (i, d) in self.dialogues.iter().enumerate() {
            non_empty(&format!("dialogues[{i}].text"), &d.text, MAX_NOTE_CHARS)?;
        }
        for (i, n) in self.innovations.iter().enumerate() {
            non_empty(&format!("innovations[{i}].what"), &n.what, 500)?;
            max_len(&format!("innovations[{i}].effect"), &n.effect, MAX_NOTE_CHARS)?;
        }
        Ok(())
    }

    /// Submitting needs both overall ratings and at least one target.
    pub fn validate_complete(&self) -> Result<(), ValidationError> {
        if self.targets.is_empty() {
            return Err(ValidationError::new("targets", Reason::Empty));
        }
        if self.hasil_kerja.is_none() {
            return Err(ValidationError::new("hasil_kerja", Reason::Empty));
        }
        if self.perilaku.is_none() {
            return Err(ValidationError::new("perilaku", Reason::Empty));
        }
        Ok(())
    }

    /// Who appraises and reviews, and where: fixed for everyone but HR.
    pub(crate) fn same_assignment(&self, other: &Self) -> bool {
        self.unit_id == other.unit_id
            && self.appraiser_nip == other.appraiser_nip
            && self.reviewer_nip == other.reviewer_nip
    }

    /// Everything the appraiser writes, i.e. all but status and dialogues.
    pub(crate) fn same_content(&self, other: &Self) -> bool {
        let strip = |a: &Self| Self { status: AppraisalStatus::Draft, dialogues: Vec::new(), ..a.clone() };
        strip(self) == strip(other)
    }
}

impl SkpTarget {
    pub fn new(indicator: &str, target: f64, unit: &str, main: bool) -> Result<Self, ValidationError> {
        let t = Self {
            id: crate::model::ids::new_item_id(),
            indicator: indicator.to_string(),
            target,
            realisation: None,
            unit: unit.to_string(),
            main,
            rating: None,
        };
        t.validate()?;
        Ok(t)
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("id", &self.id, 64)?;
        non_empty("indicator", &self.indicator, 500)?;
        max_len("unit", &self.unit, 50)?;
        non_negative("target", self.target)?;
        if let Some(r) = self.realisation {
            non_negative("realisation", r)?;
        }
        Ok(())
    }
}

fn non_negative(field: &str, v: f64) -> Result<(), ValidationError> {
    if !v.is_finite() {
        return Err(ValidationError::new(field, Reason::NotFinite));
    }
    if v < 0.0 {
        return Err(ValidationError::new(field, Reason::Negative { value: v.to_string() }));
    }
    Ok(())
}
