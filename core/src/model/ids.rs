//! Identifiers made offline.
//!
//! Records are created on tablets with no network, so ids must be unique
//! without asking anyone: new records get a UUIDv7 (random and time-sortable).
//! An appraisal is unique per employee and period, so its id is *derived*
//! (UUIDv5 of `appraisal/<nip>/<period>`): two tablets that start the same
//! appraisal offline produce the same document and their edits merge instead
//! of creating duplicates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ValidationError;
use crate::rules::nip::Nip;

/// Namespace for derived ids (a fixed random UUID; never change it).
const PRESTASI_NS: Uuid = Uuid::from_u128(0x6d1f_3c2a_94b7_4e0b_9a55_0c7e_2f81_b6d4);

/// The id of a synced document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocId(Uuid);

impl DocId {
    /// A fresh, time-sortable id for a record created now.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// The one id of the appraisal of `nip` in `period`.
    pub fn for_appraisal(nip: &Nip, period: &str) -> Self {
        Self(Uuid::new_v5(&PRESTASI_NS, format!("appraisal/{}/{}", nip.as_str(), period).as_bytes()))
    }

    /// The id of the one record named `name` within a tenant, e.g.
    /// `employee/<nip>` or `unit/<unit id>`: HR tools find it again without
    /// a lookup table.
    pub fn derived(name: &str) -> Self {
        Self(Uuid::new_v5(&PRESTASI_NS, name.as_bytes()))
    }

    /// The attendance record of one employee at one training programme:
    /// the tablet at the venue and BKPSDM name the same document, so the
    /// person is credited once however many devices record it.
    pub fn for_attendance(programme_id: &str, nip: &Nip) -> Self {
        Self::derived(&format!("attendance/{programme_id}/{}", nip.as_str()))
    }

    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl Default for DocId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for DocId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s)
            .map(Self)
            .map_err(|_| ValidationError::said("id", format!("{s:?} is not a UUID"), format!("\"{s}\" bukan UUID")))
    }
}

impl TryFrom<String> for DocId {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<DocId> for String {
    fn from(id: DocId) -> String {
        id.to_string()
    }
}

/// One install of the app on one tablet (or one kiosk). Its 16 bytes are the
/// automerge actor id of every change the device writes, so history can say
/// which device made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(Uuid);

impl DeviceId {
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(Uuid::from_bytes(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// The automerge actor id of this device, as lowercase hex.
    pub fn actor_hex(&self) -> String {
        self.0.simple().to_string()
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for DeviceId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self).map_err(|_| {
            ValidationError::said("device_id", format!("{s:?} is not a UUID"), format!("\"{s}\" bukan UUID"))
        })
    }
}

impl TryFrom<String> for DeviceId {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> String {
        id.to_string()
    }
}

/// A fresh id for an item inside a document (an SKP target, a note, an
/// innovation). Short on purpose: it is repeated in every change to the item.
pub fn new_item_id() -> String {
    // 12 hex chars of a v4 UUID: 48 random bits, plenty within one document.
    let mut s = Uuid::new_v4().simple().to_string();
    s.truncate(12);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appraisal_id_is_stable_per_employee_and_period() {
        let nip = Nip::parse("199307082019031090").unwrap();
        assert_eq!(DocId::for_appraisal(&nip, "2026-Q3"), DocId::for_appraisal(&nip, "2026-Q3"));
        assert_ne!(DocId::for_appraisal(&nip, "2026-Q3"), DocId::for_appraisal(&nip, "2026-Q4"));
    }

    #[test]
    fn new_ids_sort_by_creation() {
        let a = DocId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = DocId::new();
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn bad_ids_are_errors() {
        assert!("not-a-uuid".parse::<DocId>().is_err());
        assert!("".parse::<DeviceId>().is_err());
    }
}
