//! Step 3: BKPSDM's office. The year's citizen feedback the kiosks sent
//! before today and the trainings are seeded as history through the bulk
//! path, dated when they happened; the HR inputs (unit ratings, potential
//! scores, sanctions) are entered, and the closed period is locked.

use std::collections::HashSet;

use chrono::Utc;
use prestasi_core::model::{Appraisal, AppraisalStatus, DocId};
use prestasi_server::admin::{self, Seed};
use prestasi_server::state::ServerIdentity;
use prestasi_server::storage::{Record, Storage};

use super::devices::kiosk_feedback;
use super::{CLOSED, DemoError, HR_USER, Progress, Summary, TENANT};
use crate::generate::{Dataset, training_at};

pub(super) fn run(
    storage: &dyn Storage,
    server: &ServerIdentity,
    d: &Dataset,
    by_kiosk: &HashSet<DocId>,
    summary: &mut Summary,
    progress: &Progress,
) -> Result<(), DemoError> {
    // Each feedback arrives when the citizen gave it, as if its kiosk had
    // synced that day.
    let history: Vec<Seed> = d
        .feedback
        .iter()
        .filter(|(id, _, _)| !by_kiosk.contains(id))
        .map(|(id, f, at)| Seed { id: *id, record: Record::Feedback(kiosk_feedback(f)), received_at: *at })
        .collect();
    admin::seed(storage, server, TENANT, HR_USER, &history, &mut |_| {})?;
    progress.step(format!("{} earlier feedback seeded as history, dated when the citizens gave them", history.len()));

    let trainings: Vec<Seed> = d
        .trainings
        .iter()
        .map(|(id, t)| Seed { id: *id, record: Record::Training(t.clone()), received_at: training_at(t, d.end_ms) })
        .collect();
    admin::seed(storage, server, TENANT, HR_USER, &trainings, &mut |_| {})?;
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
