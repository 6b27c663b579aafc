//! Step 3: BKPSDM's office. Trainings are recorded as HR documents, the
//! HR inputs (unit ratings, potential scores, sanctions) entered, the
//! feedback's arrival dated, and the closed period locked.

use crate::state::ServerIdentity;
use chrono::Utc;
use prestasi_core::doc::DocKind;
use prestasi_core::model::{Appraisal, AppraisalStatus, Training};

use super::devices::kiosk_feedback;
use super::{CLOSED, DemoError, HR_USER, Progress, Summary, TENANT};
use crate::admin;
use crate::generate::Dataset;
use crate::storage::{DocWrite, Record, Storage};

/// Merged-view rows rewritten per transaction.
const BATCH: usize = 500;

pub(super) fn run(
    storage: &dyn Storage,
    server: &ServerIdentity,
    d: &Dataset,
    summary: &mut Summary,
    progress: &Progress,
) -> Result<(), DemoError> {
    for (id, t) in &d.trainings {
        admin::record_as_hr::<Training>(storage, server, TENANT, HR_USER, *id, t)?;
    }
    progress.step(format!("BKPSDM recorded {} trainings", d.trainings.len()));

    for r in &d.unit_periods {
        storage.set_unit_period(TENANT, r)?;
    }
    for r in &d.potentials {
        storage.set_potential(TENANT, r)?;
    }
    for r in &d.sanctions {
        storage.add_sanction(TENANT, r)?;
    }
    progress.step(format!(
        "BKPSDM entered {} unit ratings, {} potential scores, {} sanctions",
        d.unit_periods.len(),
        d.potentials.len(),
        d.sanctions.len()
    ));

    backdate_feedback(storage, d)?;
    progress.step(format!("{} feedback dated when the citizens gave them", d.feedback.len()));

    for (id, _) in d.appraisals.iter().filter(|(_, a)| a.period == CLOSED) {
        admin::edit_as_hr::<Appraisal>(storage, server, TENANT, HR_USER, *id, &|doc, author| {
            doc.edit(author, Utc::now(), |v| {
                v.status = AppraisalStatus::Locked;
                Ok(())
            })
            .map(|_| ())
        })?;
        summary.locked += 1;
    }
    progress.step(format!("{CLOSED} closed: BKPSDM locked its {} appraisals", summary.locked));
    Ok(())
}

/// Rewrite each feedback's row of the merged view with the time the
/// citizen gave it as its arrival time (see the module documentation of
/// `demo`); the documents stay as the kiosks sent them.
fn backdate_feedback(storage: &dyn Storage, d: &Dataset) -> Result<(), DemoError> {
    for chunk in d.feedback.chunks(BATCH) {
        let writes: Vec<DocWrite> = chunk
            .iter()
            .map(|(id, f, at)| DocWrite {
                tenant: TENANT.to_string(),
                id: *id,
                kind: DocKind::Feedback,
                chunk: Vec::new(),
                compacted: None,
                heads: Vec::new(),
                origin: "demo".to_string(),
                received_at: *at,
                projection: crate::sync::projection(*id, &Record::Feedback(kiosk_feedback(f)), Vec::new()),
                // Seeded straight into the view: no device signed it.
                sigs: Vec::new(),
            })
            .collect();
        storage.write(&mut |tx| {
            for w in &writes {
                tx.append(w)?;
            }
            Ok(())
        })?;
    }
    Ok(())
}
