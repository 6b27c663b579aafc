//! Public recognition: the top performers of each unit, with the reasons.
//!
//! The seed documents name public recognition (invitations to share
//! experience at official events) as a reward and ask that top performers be
//! picked per unit **transparently, with the reasons visible** (REFERENCE §5).
//! So the order is a fixed, explained sequence of comparisons rather than a
//! weighted score:
//!
//! 1. predikat, best first (anyone worse than [`RecognitionConfig::min_predikat`]
//!    is left out);
//! 2. share of SKP targets above expectations, compared exactly by
//!    cross-multiplication (no targets counts as 0);
//! 3. number of innovations;
//! 4. average public feedback, none last;
//! 5. NIP, so equal records still come out in the same order everywhere.
//!
//! How many per unit and the minimum predikat are local choices
//! ([`RecognitionConfig`]).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::predikat::Predikat;

/// `Default`: the top 3 per unit, predikat at least Baik.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecognitionConfig {
    pub top_per_unit: u32,
    pub min_predikat: Predikat,
}

impl Default for RecognitionConfig {
    fn default() -> Self {
        RecognitionConfig { top_per_unit: 3, min_predikat: Predikat::Baik }
    }
}

/// One employee's record for the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecognitionCandidate {
    pub nip: String,
    pub unit_id: String,
    pub predikat: Predikat,
    pub targets_above: u32,
    pub targets_total: u32,
    pub innovations: u32,
    pub feedback_count: u64,
    pub feedback_average: Option<f64>,
}

/// A recognised employee: `rank` 1.. within the unit, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recognised {
    pub nip: String,
    pub unit_id: String,
    pub rank: u32,
    /// In Bahasa Indonesia, in the order of the comparisons.
    pub reasons: Vec<String>,
}

/// The share of targets above expectations as a fraction; 0/0 is 0/1.
fn share(c: &RecognitionCandidate) -> (u64, u64) {
    if c.targets_total == 0 { (0, 1) } else { (u64::from(c.targets_above), u64::from(c.targets_total)) }
}

/// Better candidates first (the module's order).
fn better_first(a: &RecognitionCandidate, b: &RecognitionCandidate) -> Ordering {
    let ((an, ad), (bn, bd)) = (share(a), share(b));
    let feedback = match (a.feedback_average, b.feedback_average) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    a.predikat
        .rank()
        .cmp(&b.predikat.rank())
        .then((bn * ad).cmp(&(an * bd)))
        .then(b.innovations.cmp(&a.innovations))
        .then(feedback)
        .then_with(|| a.nip.cmp(&b.nip))
}

fn reasons(c: &RecognitionCandidate) -> Vec<String> {
    let mut reasons = vec![format!("Predikat {}", c.predikat.label_id())];
    if c.targets_total > 0 {
        reasons.push(format!("{} dari {} target di atas ekspektasi", c.targets_above, c.targets_total));
    }
    if c.innovations > 0 {
        reasons.push(format!("{} inovasi", c.innovations));
    }
    if let (1.., Some(avg)) = (c.feedback_count, c.feedback_average) {
        let avg = format!("{avg:.2}").replace('.', ",");
        reasons.push(format!("Rata-rata penilaian masyarakat {avg} dari {} responden", c.feedback_count));
    }
    reasons
}

/// The top candidates of every unit, sorted by `unit_id` then rank.
pub fn recognise(cfg: &RecognitionConfig, candidates: &[RecognitionCandidate]) -> Vec<Recognised> {
    let mut units: BTreeMap<&str, Vec<&RecognitionCandidate>> = BTreeMap::new();
    for c in candidates.iter().filter(|c| c.predikat.rank() <= cfg.min_predikat.rank()) {
        units.entry(c.unit_id.as_str()).or_default().push(c);
    }
    let top = usize::try_from(cfg.top_per_unit).unwrap_or(usize::MAX);
    units
        .into_values()
        .flat_map(|mut unit| {
            unit.sort_by(|a, b| better_first(a, b));
            unit.into_iter().take(top).zip(1u32..).map(|(c, rank)| Recognised {
                nip: c.nip.clone(),
                unit_id: c.unit_id.clone(),
                rank,
                reasons: reasons(c),
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "recognition_tests.rs"]
mod tests;
