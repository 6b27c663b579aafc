//! Document kinds and the [`Record`] trait that maps a Rust type to one.

use std::fmt::Debug;

use automerge::ObjType;
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError};
use crate::model::{
    Allowance, Appraisal, Author, Award, DocId, Employee, Feedback, Mentoring, Role, Training, Unit, workflow,
};

/// Every kind of synced document. Stored as `_kind` in the document root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Employee,
    Unit,
    Appraisal,
    Feedback,
    Training,
    Mentoring,
    Allowance,
    Award,
}

impl DocKind {
    pub const ALL: [DocKind; 8] = [
        Self::Employee,
        Self::Unit,
        Self::Appraisal,
        Self::Feedback,
        Self::Training,
        Self::Mentoring,
        Self::Allowance,
        Self::Award,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Employee => "employee",
            Self::Unit => "unit",
            Self::Appraisal => "appraisal",
            Self::Feedback => "feedback",
            Self::Training => "training",
            Self::Mentoring => "mentoring",
            Self::Allowance => "allowance",
            Self::Award => "award",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            ValidationError::unknown("kind", s, &names)
        })
    }
}

/// A Rust type stored as one automerge document.
pub trait Record: Reconcile + Hydrate + Clone + PartialEq + Debug {
    const KIND: DocKind;
    /// Current schema version written by this build. Schema changes are
    /// additive only (new optional fields); see ARCHITECTURE.md.
    const SCHEMA: u64 = 1;
    /// Containers every copy of the document shares from its genesis change,
    /// so two devices creating the same document offline add to the same
    /// list or map instead of racing to create it.
    const CONTAINERS: &'static [(&'static str, ObjType)] = &[];
    /// Whether copies may be created independently on several devices (the
    /// id is derived, not random). Such documents start with a shared,
    /// byte-identical genesis change; others put their skeleton in the
    /// creating change and save the bytes of a second actor.
    const SHARED_GENESIS: bool = false;

    /// Value checks that do not depend on the author.
    fn validate(&self) -> Result<(), ValidationError>;

    /// May `author` create (`old` is `None`) or change the record?
    fn check_change(old: Option<&Self>, new: &Self, author: &Author) -> Result<(), ValidationError>;

    /// The only id this record may have, for kinds whose id is derived from
    /// their content (one appraisal per employee and period, one attendance
    /// per programme and person). Any other id is refused.
    fn derived_id(&self) -> Option<DocId> {
        None
    }
}

fn only(roles: &[Role], author: &Author, what: &str) -> Result<(), ValidationError> {
    if roles.contains(&author.role) || author.role == Role::Admin {
        Ok(())
    } else {
        Err(ValidationError::new(what, Reason::NotPermitted { allowed: role_names(roles) }))
    }
}

fn role_names(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| match r {
            Role::Supervisor => "atasan/penilai",
            Role::Kiosk => "kios",
            Role::Hr => "BKPSDM",
            Role::Admin => "admin",
        })
        .collect::<Vec<_>>()
        .join(" atau ")
}

impl Record for Appraisal {
    const KIND: DocKind = DocKind::Appraisal;
    const SHARED_GENESIS: bool = true;
    const CONTAINERS: &'static [(&'static str, ObjType)] = &[
        ("targets", ObjType::List),
        ("behaviour", ObjType::Map),
        ("behaviour_notes", ObjType::Map),
        ("dialogues", ObjType::List),
        ("innovations", ObjType::List),
    ];

    fn validate(&self) -> Result<(), ValidationError> {
        Appraisal::validate(self)
    }

    fn derived_id(&self) -> Option<DocId> {
        Some(DocId::for_appraisal(&self.employee_nip, &self.period))
    }

    fn check_change(old: Option<&Self>, new: &Self, author: &Author) -> Result<(), ValidationError> {
        match old {
            Some(old) => workflow::check_change(old, new, author),
            // A new appraisal is judged as a change from an empty draft, so
            // it cannot be born reviewed or locked except by HR (who may
            // record past appraisals as they were).
            None => {
                let draft = Appraisal { status: crate::model::AppraisalStatus::Draft, ..new.clone() };
                match workflow::relation(new, author) {
                    workflow::Relation::Hr => Ok(()),
                    workflow::Relation::Appraiser => workflow::check_change(&draft, new, author),
                    _ => Err(ValidationError::new(
                        "appraisal",
                        Reason::NotPermitted { allowed: "penilai atau BKPSDM".into() },
                    )),
                }
            }
        }
    }
}

impl Record for Feedback {
    const KIND: DocKind = DocKind::Feedback;

    fn validate(&self) -> Result<(), ValidationError> {
        Feedback::validate(self)
    }

    /// Citizens' feedback is written once and never edited, by anyone.
    fn check_change(old: Option<&Self>, _new: &Self, author: &Author) -> Result<(), ValidationError> {
        match old {
            None => only(&[Role::Kiosk, Role::Hr, Role::Supervisor], author, "feedback"),
            Some(_) => Err(ValidationError::new("feedback", Reason::Immutable)),
        }
    }
}

impl Record for Employee {
    const KIND: DocKind = DocKind::Employee;
    fn validate(&self) -> Result<(), ValidationError> {
        Employee::validate(self)
    }
    fn check_change(old: Option<&Self>, new: &Self, author: &Author) -> Result<(), ValidationError> {
        if old.is_some_and(|o| o.nip != new.nip) {
            return Err(ValidationError::said(
                "nip",
                "an employee's NIP never changes",
                "NIP pegawai tidak pernah berubah",
            ));
        }
        only(&[Role::Hr], author, "employee")
    }
}

impl Record for Unit {
    const KIND: DocKind = DocKind::Unit;
    fn validate(&self) -> Result<(), ValidationError> {
        Unit::validate(self)
    }
    fn check_change(_old: Option<&Self>, _new: &Self, author: &Author) -> Result<(), ValidationError> {
        only(&[Role::Hr], author, "unit")
    }
}

impl Record for Training {
    const KIND: DocKind = DocKind::Training;
    fn validate(&self) -> Result<(), ValidationError> {
        Training::validate(self)
    }
    fn derived_id(&self) -> Option<DocId> {
        self.programme_id.as_deref().map(|p| DocId::for_attendance(p, &self.employee_nip))
    }
    /// Attendance is recorded by HR or on a supervisor's tablet at the venue.
    fn check_change(_old: Option<&Self>, _new: &Self, author: &Author) -> Result<(), ValidationError> {
        only(&[Role::Hr, Role::Supervisor], author, "training")
    }
}

impl Record for Mentoring {
    const KIND: DocKind = DocKind::Mentoring;
    const CONTAINERS: &'static [(&'static str, ObjType)] = &[("sessions", ObjType::List)];
    fn validate(&self) -> Result<(), ValidationError> {
        Mentoring::validate(self)
    }
    fn check_change(_old: Option<&Self>, _new: &Self, author: &Author) -> Result<(), ValidationError> {
        only(&[Role::Hr, Role::Supervisor], author, "mentoring")
    }
}

impl Record for Allowance {
    const KIND: DocKind = DocKind::Allowance;
    fn validate(&self) -> Result<(), ValidationError> {
        Allowance::validate(self)
    }
    fn check_change(_old: Option<&Self>, _new: &Self, author: &Author) -> Result<(), ValidationError> {
        only(&[Role::Hr], author, "allowance")
    }
}

impl Record for Award {
    const KIND: DocKind = DocKind::Award;
    fn validate(&self) -> Result<(), ValidationError> {
        Award::validate(self)
    }
    fn check_change(_old: Option<&Self>, _new: &Self, author: &Author) -> Result<(), ValidationError> {
        only(&[Role::Hr], author, "award")
    }
}
