//! The bridge from each record type to the storage's merged view.

use prestasi_core::doc::Record as CoreRecord;
use prestasi_core::model::{
    Allowance, Appraisal, AppraisalStatus, Award, Employee, Feedback, Mentoring, Training, Unit,
};

use crate::storage::Record;

/// A record the server accepts and projects into its merged view.
pub trait Merged: CoreRecord {
    fn into_record(self) -> Record;
    /// Locked by HR: refusals say "locked", not "forbidden".
    fn is_locked(&self) -> bool {
        false
    }
}

impl Merged for Appraisal {
    fn into_record(self) -> Record {
        Record::Appraisal(self)
    }
    fn is_locked(&self) -> bool {
        self.status == AppraisalStatus::Locked
    }
}

macro_rules! merged {
    ($($t:ident),+) => {
        $(impl Merged for $t {
            fn into_record(self) -> Record {
                Record::$t(self)
            }
        })+
    };
}
merged!(Employee, Unit, Feedback, Training, Mentoring, Allowance, Award);
