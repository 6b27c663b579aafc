//! Who may change an appraisal, and how its status moves.
//!
//! The same function runs on the tablet (immediate feedback) and on the
//! server (the authority: it checks the merged result of every incoming
//! change set before accepting it).

use super::appraisal::{Appraisal, AppraisalStatus};
use super::author::Author;
use crate::error::{Reason, ValidationError};
use crate::rules::nip::Nip;

/// How the author relates to this appraisal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Hr,
    Appraiser,
    Reviewer,
    /// Anyone else: may change nothing.
    Other,
}

pub fn relation(a: &Appraisal, author: &Author) -> Relation {
    if author.role.is_hr() {
        Relation::Hr
    } else if author.role != crate::model::Role::Supervisor {
        Relation::Other
    } else if a.appraiser_nip.as_str() == author.user {
        Relation::Appraiser
    } else if a.reviewer_nip.as_ref().is_some_and(|r| r.as_str() == author.user) {
        Relation::Reviewer
    } else {
        Relation::Other
    }
}

/// Is `old → new` by `author` allowed?
pub fn check_change(old: &Appraisal, new: &Appraisal, author: &Author) -> Result<(), ValidationError> {
    if old.employee_nip != new.employee_nip || old.period != new.period {
        return Err(ValidationError::said(
            "employee_nip",
            "the employee and period of an appraisal never change",
            "pegawai dan periode sebuah penilaian tidak pernah berubah",
        ));
    }
    let rel = relation(old, author);
    if rel == Relation::Other {
        return Err(ValidationError::new(
            "appraisal",
            Reason::NotPermitted { allowed: "penilai, atasan penilai, atau BKPSDM".into() },
        ));
    }
    if old.status == AppraisalStatus::Locked {
        // Only HR reopens; an edit of a locked appraisal must reopen it in
        // the same change (HR reopening and correcting offline in one sync).
        let reopened = rel == Relation::Hr && new.status != AppraisalStatus::Locked;
        if !reopened && old != new {
            return Err(ValidationError::said(
                "status",
                "the appraisal is locked by BKPSDM; only BKPSDM can reopen it",
                "penilaian dikunci BKPSDM; hanya BKPSDM yang dapat membukanya kembali",
            ));
        }
        return Ok(());
    }
    if rel == Relation::Hr {
        // BKPSDM is the authority: any step, any field. A sync carries only
        // the end state, so HR reviewing and locking offline is one change.
        return Ok(());
    }
    if !old.same_assignment(new) {
        return Err(assignment_error(old, new));
    }
    if old.status != new.status {
        check_transition(old.status, new.status, rel)?;
        if new.status == AppraisalStatus::Submitted {
            new.validate_complete()?;
        }
    }
    if !old.same_content(new) {
        let editable = old.status == AppraisalStatus::Draft;
        if !editable {
            return Err(ValidationError::said(
                "status",
                "only a draft can be edited; ask the reviewer to return it first",
                "hanya draf yang dapat diubah; minta atasan penilai mengembalikannya dulu",
            ));
        }
        if rel == Relation::Reviewer {
            return Err(ValidationError::new(
                "appraisal",
                Reason::NotPermitted { allowed: "penilai atau BKPSDM".into() },
            ));
        }
    }
    Ok(())
}

fn assignment_error(old: &Appraisal, new: &Appraisal) -> ValidationError {
    let field = if old.unit_id != new.unit_id {
        "unit_id"
    } else if old.appraiser_nip != new.appraiser_nip {
        "appraiser_nip"
    } else {
        "reviewer_nip"
    };
    ValidationError::new(field, Reason::NotPermitted { allowed: "BKPSDM".into() })
}

/// What the roster (HR's employee records) says about a new appraisal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    /// The employee's unit now.
    pub employee_unit: String,
    /// The employee's direct superior (NIP_ATASAN): their appraiser.
    pub employee_superior: Option<Nip>,
    /// The appraiser's own superior: the reviewer.
    pub appraiser_superior: Option<Nip>,
}

/// A new appraisal by anyone but HR takes its unit, appraiser and reviewer
/// from the roster: the employee's unit, their superior, and that
/// superior's superior. HR assigns anyone else (an acting superior) by
/// editing the appraisal; nobody else can.
pub fn check_assignment(new: &Appraisal, author: &Author, roster: &Roster) -> Result<(), ValidationError> {
    if author.role.is_hr() {
        return Ok(());
    }
    let hr_only = |field: &str| ValidationError::new(field, Reason::NotPermitted { allowed: "BKPSDM".into() });
    if new.unit_id != roster.employee_unit {
        return Err(hr_only("unit_id"));
    }
    if roster.employee_superior.as_ref() != Some(&new.appraiser_nip) {
        return Err(hr_only("appraiser_nip"));
    }
    if new.reviewer_nip != roster.appraiser_superior {
        return Err(hr_only("reviewer_nip"));
    }
    Ok(())
}

/// Every status step a supervisor's tablet may take, and who takes it.
/// HR (BKPSDM) is the authority and may take any step.
pub const TRANSITIONS: &[(AppraisalStatus, AppraisalStatus, &[Relation])] = {
    use AppraisalStatus::*;
    &[
        (Draft, Submitted, &[Relation::Appraiser, Relation::Hr]),
        (Submitted, Reviewed, &[Relation::Reviewer, Relation::Hr]),
        (Submitted, Draft, &[Relation::Appraiser, Relation::Reviewer, Relation::Hr]),
        (Reviewed, Draft, &[Relation::Reviewer, Relation::Hr]),
        (Reviewed, Locked, &[Relation::Hr]),
        (Locked, Draft, &[Relation::Hr]),
    ]
};

impl Relation {
    pub fn name(&self) -> &'static str {
        match self {
            Relation::Appraiser => "appraiser",
            Relation::Reviewer => "reviewer",
            Relation::Hr => "hr",
            Relation::Other => "other",
        }
    }
}

fn check_transition(from: AppraisalStatus, to: AppraisalStatus, rel: Relation) -> Result<(), ValidationError> {
    let allowed: &[Relation] =
        TRANSITIONS.iter().find(|(f, t, _)| *f == from && *t == to).map_or(&[], |(_, _, who)| who);
    if allowed.contains(&rel) {
        return Ok(());
    }
    let names = |en: bool| {
        let name = |r: &Relation| match (r, en) {
            (r, true) => r.name(),
            (Relation::Appraiser, false) => "penilai",
            (Relation::Reviewer, false) => "atasan penilai",
            (Relation::Hr, false) => "BKPSDM",
            (Relation::Other, false) => "orang lain",
        };
        allowed.iter().map(name).collect::<Vec<_>>().join(if en { " or " } else { " atau " })
    };
    let (why, why_id) = if allowed.is_empty() {
        ("no such step in the workflow".to_string(), "langkah itu tidak ada dalam alur penilaian".to_string())
    } else {
        (format!("this step is taken by {}", names(true)), format!("langkah ini dilakukan oleh {}", names(false)))
    };
    Err(ValidationError::new("status", Reason::Transition { from: from.as_str(), to: to.as_str(), why, why_id }))
}
