//! # prestasi-core
//!
//! The shared client core of Prestasi, an offline-first system for the
//! merit-based career development of Indonesian civil servants (ASN):
//!
//! - [`rules`]: the domain rules (SKP predikat matrix, SKM index, 20 JP,
//!   9-box, promotion, credit points, NIP) as pure functions;
//! - [`model`]: appraisals, citizen feedback, training, mentoring, decisions;
//! - [`doc`]: each record as an automerge document that merges offline edits
//!   and reports conflicts and history;
//! - [`signing`]: person-level Ed25519 signatures on every change, keys
//!   sealed under a PIN, offline audit of a document's signatures;
//! - [`store`]: the on-device SQLite store (WAL, one writer, crash-safe);
//! - [`sync`]: the client sync engine and the protocol it speaks.
//!
//! ## Two tablets, one appraisal
//!
//! A supervisor starts an appraisal offline; the appraisal is copied to a
//! second tablet; both change the same realisation before they sync. The
//! merge keeps both edits' history and reports the conflict instead of
//! hiding it.
//!
//! ```
//! use chrono::Utc;
//! use prestasi_core::doc::Document;
//! use prestasi_core::model::{Appraisal, Author, DeviceId, DocId, Role, SkpTarget};
//! use prestasi_core::rules::nip::Nip;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let staff = Nip::parse("199307082019031090")?;
//! let boss = Nip::parse("198802182010062056")?;
//! let tablet_a = Author::new(boss.as_str(), DeviceId::random(), Role::Supervisor);
//! let tablet_b = Author::new(boss.as_str(), DeviceId::random(), Role::Supervisor);
//!
//! // Offline on tablet A: create the appraisal with one SKP target.
//! let mut appraisal = Appraisal::new(staff.clone(), "2026-Q3", "unit-0001", boss)?;
//! let target = SkpTarget::new("Dokumen kependudukan terbit tepat waktu", 120.0, "dokumen", true)?;
//! let target_id = target.id.clone();
//! appraisal.targets.push(target);
//! let id = DocId::for_appraisal(&staff, "2026-Q3");
//! let mut on_a = Document::create(id, &appraisal, &tablet_a, Utc::now())?;
//!
//! // Tablet B received a copy earlier; both now edit offline.
//! let mut on_b = Document::<Appraisal>::load(id, &on_a.save())?;
//! on_a.edit(&tablet_a, Utc::now(), |a| {
//!     a.target_mut(&target_id)?.realisation = Some(118.0);
//!     Ok(())
//! })?;
//! on_b.edit(&tablet_b, Utc::now(), |a| {
//!     a.target_mut(&target_id)?.realisation = Some(121.0);
//!     a.notes = "Pelayanan cepat.".into();
//!     Ok(())
//! })?;
//!
//! // Back in coverage: merge. Both sides converge to the same value...
//! on_a.merge(&mut on_b)?;
//! on_b.merge(&mut on_a)?;
//! assert_eq!(on_a.value()?, on_b.value()?);
//! assert_eq!(on_a.value()?.notes, "Pelayanan cepat.");
//!
//! // ...and the realisation is reported as a conflict, with who wrote what.
//! let conflicts = on_a.conflicts();
//! assert_eq!(conflicts.len(), 1);
//! assert_eq!(conflicts[0].path, format!("targets/{target_id}/realisation"));
//! let devices: Vec<&str> = conflicts[0].values.iter().map(|v| v.device.as_str()).collect();
//! assert!(devices.contains(&tablet_a.device.actor_hex().as_str()));
//! assert!(devices.contains(&tablet_b.device.actor_hex().as_str()));
//!
//! // The appraiser settles it; the resolution is an ordinary change.
//! let pick = conflicts[0].values.iter().position(|v| v.value == 121.0).unwrap();
//! on_a.resolve_conflict(&conflicts[0].path, pick, &tablet_a, Utc::now())?;
//! assert!(on_a.conflicts().is_empty());
//! on_b.merge(&mut on_a)?;
//! assert!(on_b.conflicts().is_empty());
//! # Ok(())
//! # }
//! ```

pub mod doc;
pub mod error;
pub mod model;
pub mod rules;
pub mod session;
pub mod signing;
pub mod store;
pub mod sync;

pub use error::{Reason, ValidationError};
