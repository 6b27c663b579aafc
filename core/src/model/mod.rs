//! The domain model: plain Rust types, validated on construction, mapped to
//! automerge documents with autosurgeon.

pub mod appraisal;
pub mod author;
pub mod behaviour;
pub mod decision;
pub mod development;
pub mod feedback;
pub mod ids;
pub mod org;
pub mod period;
pub mod time;
pub mod workflow;

pub use appraisal::{Appraisal, AppraisalStatus, DialogNote, Innovation, SkpTarget};
pub use author::{Author, Role};
pub use behaviour::BehaviourValue;
pub use decision::{Allowance, Award};
pub use development::{Mentoring, MentoringSession, Training};
pub use feedback::{Channel, Feedback};
pub use ids::{DeviceId, DocId};
pub use org::{Agency, Employee, PositionKind, Tenant, Unit};
pub use period::Period;
