//! The verification phase (timed on its own): a fresh HR device pulls the
//! whole tenant through the server and every record must hold its final
//! content — the workload's initial values with its edits applied in order.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use prestasi_core::model::{Appraisal, BehaviourValue, DocId, Feedback};
use prestasi_core::sync::SyncClient;

use crate::Error;
use crate::workload::{AppraisalSpec, Edit, Workload};

/// Stop pulling after this many syncs even if the server keeps sending.
const MAX_SYNCS: usize = 100;
/// Mismatches listed in the error.
const SHOWN: usize = 10;

/// What an appraisal must hold once every edit is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// `realisation` of each target, in order.
    pub realisation: Vec<f64>,
    /// Perilaku ratings, 1–3.
    pub behaviour: BTreeMap<BehaviourValue, u8>,
    pub notes: String,
}

/// The final content of `a`: its initial values, then its edits in order
/// (a later edit of the same field wins).
pub fn expected(a: &AppraisalSpec) -> Expected {
    let mut e = Expected {
        realisation: a.hasil_kerja.iter().map(|t| t.realisasi).collect(),
        behaviour: a.perilaku.clone(),
        notes: a.catatan.clone(),
    };
    for edit in &a.edits {
        match edit {
            Edit::Realisasi { index, value, .. } => {
                if let Some(r) = e.realisation.get_mut(*index) {
                    *r = *value;
                }
            }
            Edit::Perilaku { key, value, .. } => {
                e.behaviour.insert(*key, *value);
            }
        }
    }
    e
}

/// What the HR device held as the appraisal's final content.
fn actual(a: &Appraisal) -> Expected {
    Expected {
        realisation: a.targets.iter().map(|t| t.realisation.unwrap_or(f64::NAN)).collect(),
        behaviour: a.behaviour.iter().map(|(k, r)| (*k, r.score())).collect(),
        notes: a.notes.clone(),
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Verification {
    pub elapsed: Duration,
    /// Of which the HR device's syncs (pull and store every document).
    pub pull_elapsed: Duration,
    /// `sync_now` calls until one pulled nothing.
    pub syncs: usize,
    pub round_trips: usize,
    pub pulled: usize,
    pub bytes_received: usize,
    pub checked: usize,
}

/// Pull everything on the HR device, then check every record of `workload`.
pub fn run(workload: &Workload, hr: &SyncClient) -> Result<Verification, Error> {
    let start = Instant::now();
    let mut v = Verification {
        elapsed: Duration::ZERO,
        pull_elapsed: Duration::ZERO,
        syncs: 0,
        round_trips: 0,
        pulled: 0,
        bytes_received: 0,
        checked: 0,
    };
    loop {
        let r = hr.sync_now().map_err(|e| format!("HR sync failed: {e}"))?;
        v.syncs += 1;
        v.round_trips += r.round_trips;
        v.pulled += r.pulled;
        v.bytes_received += r.bytes_received;
        if r.pulled == 0 {
            break;
        }
        if v.syncs >= MAX_SYNCS {
            return Err(format!("HR device still pulling after {MAX_SYNCS} syncs").into());
        }
    }
    v.pull_elapsed = start.elapsed();
    let store = hr.store();
    let mut mismatches = Vec::new();
    for d in &workload.devices {
        for a in &d.appraisals {
            let want = expected(a);
            match store.get::<Appraisal>(crate::replay::appraisal_id(a)?) {
                Ok(got) => {
                    let got = actual(&got);
                    if got != want {
                        mismatches.push(format!("appraisal {}: expected {want:?}, server copy holds {got:?}", a.id));
                    }
                }
                Err(e) => mismatches.push(format!("appraisal {}: {e}", a.id)),
            }
            v.checked += 1;
        }
        for f in &d.feedback {
            let want = f.score_array()?;
            match store.get::<Feedback>(DocId::from_uuid(f.id)) {
                Ok(got) if got.scores.as_array() == want && got.comment == f.comment && got.service == f.service => {}
                Ok(got) => mismatches.push(format!(
                    "feedback {}: expected scores {want:?}, server copy holds {:?}",
                    f.id,
                    got.scores.as_array()
                )),
                Err(e) => mismatches.push(format!("feedback {}: {e}", f.id)),
            }
            v.checked += 1;
        }
    }
    v.elapsed = start.elapsed();
    if !mismatches.is_empty() {
        let shown: Vec<&str> = mismatches.iter().take(SHOWN).map(String::as_str).collect();
        return Err(format!(
            "verification failed: {} of {} records differ from the workload:\n  {}",
            mismatches.len(),
            v.checked,
            shown.join("\n  ")
        )
        .into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{Shape, generate};

    #[test]
    fn edits_apply_in_order_and_the_last_one_wins() {
        let mut a =
            generate(Shape { devices: 1, appraisals: 1, feedback: 0, seed: 1 }).devices.remove(0).appraisals.remove(0);
        let at = a.created_at;
        a.perilaku.insert(BehaviourValue::Loyal, 2);
        a.edits = vec![
            Edit::Realisasi { at, index: 1, value: 5.5 },
            Edit::Perilaku { at, key: BehaviourValue::Loyal, value: 3 },
            Edit::Realisasi { at, index: 1, value: 7.25 },
            Edit::Perilaku { at, key: BehaviourValue::Loyal, value: 1 },
        ];
        let e = expected(&a);
        assert_eq!(e.realisation[1], 7.25);
        assert_eq!(e.realisation[0], a.hasil_kerja[0].realisasi);
        assert_eq!(e.behaviour[&BehaviourValue::Loyal], 1);
        assert_eq!(e.behaviour.len(), 7);
        assert_eq!(e.notes, a.catatan);
    }

    #[test]
    fn the_app_value_after_the_edits_is_the_expected_content() {
        let w = generate(Shape { devices: 2, appraisals: 10, feedback: 0, seed: 9 });
        for a in w.devices.iter().flat_map(|d| &d.appraisals) {
            let mut v = crate::replay::initial_appraisal(a, None).unwrap();
            for edit in &a.edits {
                crate::replay::apply_edit(&mut v, edit).unwrap();
            }
            assert_eq!(actual(&v), expected(a));
        }
    }
}
