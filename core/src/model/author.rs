//! Who writes a change: a person on a device, acting in a role.
//!
//! The device is the automerge actor (one per install); the person's id is
//! the commit message of every change they make. The server checks both
//! against the device's enrollment before it accepts a change (issue: sync),
//! so the history HR reads maps actor → device → person.

use serde::{Deserialize, Serialize};

use super::ids::DeviceId;

/// What a person may do, tenant-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Appraises and reviews staff of the units they lead.
    Supervisor,
    /// A feedback kiosk: may only create citizen feedback.
    Kiosk,
    /// BKPSDM staff: the whole tenant, HR-only fields.
    Hr,
    Admin,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Supervisor => "supervisor",
            Self::Kiosk => "kiosk",
            Self::Hr => "hr",
            Self::Admin => "admin",
        }
    }

    /// HR and admins may set HR-only fields (lock, reopen, decisions).
    pub fn is_hr(&self) -> bool {
        matches!(self, Self::Hr | Self::Admin)
    }
}

/// The author of a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// The person: an NIP for staff, a user name for HR accounts, the
    /// kiosk's name for kiosks.
    pub user: String,
    pub device: DeviceId,
    pub role: Role,
}

impl Author {
    pub fn new(user: impl Into<String>, device: DeviceId, role: Role) -> Self {
        Self { user: user.into(), device, role }
    }
}
