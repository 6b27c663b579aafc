//! Tests for [`super`]: each comparison in turn, the filter, the cut per
//! unit and the reasons.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;

use super::*;
use Predikat::{Baik, ButuhPerbaikan, SangatBaik};

fn cand(nip: &str, unit: &str, predikat: Predikat, above: u32, total: u32, innovations: u32) -> RecognitionCandidate {
    RecognitionCandidate {
        nip: nip.to_string(),
        unit_id: unit.to_string(),
        predikat,
        targets_above: above,
        targets_total: total,
        innovations,
        feedback_count: 0,
        feedback_average: None,
    }
}

fn with_feedback(mut c: RecognitionCandidate, count: u64, average: f64) -> RecognitionCandidate {
    c.feedback_count = count;
    c.feedback_average = Some(average);
    c
}

fn order(cfg: &RecognitionConfig, candidates: &[RecognitionCandidate]) -> Vec<(String, String, u32)> {
    recognise(cfg, candidates).into_iter().map(|r| (r.unit_id, r.nip, r.rank)).collect()
}

fn row(unit: &str, nip: &str, rank: u32) -> (String, String, u32) {
    (unit.to_string(), nip.to_string(), rank)
}

#[test]
fn each_comparison_in_turn() {
    let cfg = RecognitionConfig { top_per_unit: 10, ..RecognitionConfig::default() };
    let candidates = [
        cand("a", "U1", Baik, 5, 5, 9),       // Baik after every Sangat Baik
        cand("b", "U1", SangatBaik, 2, 3, 0), // 2/3 > 3/5
        cand("c", "U1", SangatBaik, 3, 5, 0), // 3/5 = 6/10: tie, innovations decide
        cand("d", "U1", SangatBaik, 6, 10, 1),
        with_feedback(cand("e", "U1", SangatBaik, 0, 0, 0), 10, 3.9), // 0/0 = 0
        with_feedback(cand("f", "U1", SangatBaik, 0, 4, 0), 10, 3.95), // 0/4 = 0/0; feedback decides
        cand("g", "U1", SangatBaik, 0, 2, 0),                         // no feedback: last among equals
        cand("h", "U1", SangatBaik, 0, 1, 0),                         // equal to g: nip decides
        cand("x", "U1", ButuhPerbaikan, 9, 9, 9),                     // below Baik: out
    ];
    let got = order(&cfg, &candidates);
    let want: Vec<_> = ["b", "d", "c", "f", "e", "g", "h", "a"].iter().zip(1..).map(|(n, r)| row("U1", n, r)).collect();
    assert_eq!(got, want);
}

#[test]
fn per_unit_cut_and_unit_order() {
    let candidates = [
        cand("1", "U2", Baik, 1, 2, 0),
        cand("2", "U1", Baik, 1, 2, 0),
        cand("3", "U2", SangatBaik, 1, 2, 0),
        cand("4", "U1", SangatBaik, 0, 2, 0),
        cand("5", "U2", Baik, 2, 2, 0),
        cand("6", "U2", Baik, 0, 2, 0),
        cand("7", "U3", ButuhPerbaikan, 2, 2, 0),
    ];
    let got = order(&RecognitionConfig::default(), &candidates);
    assert_eq!(got, [row("U1", "4", 1), row("U1", "2", 2), row("U2", "3", 1), row("U2", "5", 2), row("U2", "1", 3)]);
    let strict = RecognitionConfig { top_per_unit: 1, min_predikat: SangatBaik };
    assert_eq!(order(&strict, &candidates), [row("U1", "4", 1), row("U2", "3", 1)]);
    let lenient = RecognitionConfig { top_per_unit: 1, min_predikat: ButuhPerbaikan };
    assert_eq!(order(&lenient, &candidates).len(), 3);
    assert!(recognise(&RecognitionConfig { top_per_unit: 0, ..strict }, &candidates).is_empty());
    assert!(recognise(&RecognitionConfig::default(), &[]).is_empty());
}

#[test]
fn reasons_in_bahasa_indonesia() {
    let c = with_feedback(cand("1", "U1", SangatBaik, 4, 5, 2), 40, 3.6185);
    let r = recognise(&RecognitionConfig::default(), &[c]);
    assert_eq!(
        r[0].reasons,
        [
            "Predikat Sangat Baik",
            "4 dari 5 target di atas ekspektasi",
            "2 inovasi",
            "Rata-rata penilaian masyarakat 3,62 dari 40 responden"
        ]
    );
    let plain = recognise(&RecognitionConfig::default(), &[cand("2", "U1", Baik, 0, 0, 0)]);
    assert_eq!(plain[0].reasons, ["Predikat Baik"]);
    let partial: RecognitionConfig = serde_json::from_str(r#"{"top_per_unit": 5}"#).unwrap();
    assert_eq!(partial, RecognitionConfig { top_per_unit: 5, min_predikat: Baik });
}

proptest! {
    /// The result does not depend on the input order, and per unit it has
    /// at most `top_per_unit` ranks 1, 2, … of eligible people only.
    #[test]
    fn order_independent_and_capped(
        raw in prop::collection::btree_map(0u32..500, (0u8..3, 0usize..5, 0u32..4, 0u32..4, 0u32..3, prop::option::of(1u8..5)), 0..25),
        top in 0u32..4,
    ) {
        let cfg = RecognitionConfig { top_per_unit: top, ..RecognitionConfig::default() };
        let candidates: Vec<_> = raw.iter().map(|(nip, &(unit, p, above, extra, inn, fb))| {
            let c = cand(&nip.to_string(), &format!("U{unit}"), Predikat::ALL[p], above, above + extra, inn);
            match fb { Some(avg) => with_feedback(c, 3, f64::from(avg)), None => c }
        }).collect();
        let forward = recognise(&cfg, &candidates);
        let reversed: Vec<_> = candidates.iter().rev().cloned().collect();
        prop_assert_eq!(&forward, &recognise(&cfg, &reversed));
        let mut expected_rank: BTreeMap<&str, u32> = BTreeMap::new();
        for r in &forward {
            let next = expected_rank.entry(r.unit_id.as_str()).or_insert(0);
            *next += 1;
            prop_assert_eq!(r.rank, *next);
            prop_assert!(r.rank <= top);
            prop_assert!(r.reasons[0] == "Predikat Sangat Baik" || r.reasons[0] == "Predikat Baik");
        }
    }
}
