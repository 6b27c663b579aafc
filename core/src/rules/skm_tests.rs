//! Tests for [`super`]: the IKM classification table, the rounding
//! boundaries, the 1/9 precision trap and the Krejcie–Morgan table.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use proptest::prelude::*;

/// A tally of `n` respondents whose scores add up to exactly `total`
/// (spread as evenly as possible, each respondent within 9..=36).
fn tally_with_total(n: u64, total: u64) -> SkmTally {
    assert!(9 * n <= total && total <= 36 * n);
    let mut tally = SkmTally::default();
    for i in 0..n {
        let mut left = total / n + u64::from(i < total % n);
        let mut scores = [1u8; 9];
        left -= 9;
        for s in &mut scores {
            let extra = left.min(3);
            *s += extra as u8;
            left -= extra;
        }
        tally.add(&Scores::new(scores).unwrap());
    }
    assert_eq!(tally.respondents(), n);
    tally
}

#[test]
fn scores_are_validated_with_field_names() {
    assert!(Scores::new([4; 9]).is_ok());
    let err = Scores::new([1, 2, 0, 4, 4, 4, 4, 4, 4]).unwrap_err();
    assert_eq!(err.field, "scores.u3");
    assert_eq!(Scores::new([1, 2, 3, 4, 4, 4, 4, 4, 5]).unwrap_err().field, "scores.u9");
    assert!(serde_json::from_str::<Scores>("[1,2,3,4,1,2,3,4,9]").is_err());
    let s: Scores = serde_json::from_str("[1,2,3,4,1,2,3,4,4]").unwrap();
    assert_eq!(s.get(Element::U4), 4);
    assert_eq!(serde_json::to_string(&s).unwrap(), "[1,2,3,4,1,2,3,4,4]");
}

#[test]
fn element_order_and_labels() {
    assert_eq!(Element::ALL.len(), 9);
    assert_eq!(Element::U8.label_id(), "Penanganan pengaduan, saran dan masukan");
    assert_eq!(Element::U9.label_id(), "Sarana dan prasarana");
    assert_eq!(Element::U1.index(), 0);
}

#[test]
fn empty_tally_has_no_result() {
    let t = SkmTally::default();
    assert_eq!(t.unit_ikm_hundredths(), None);
    assert_eq!(t.nrr(Element::U1), None);
    assert_eq!(t.ikm(), None);
    assert_eq!(t.mutu(), None);
}

#[test]
fn nrr_ikm_and_unit_ikm() {
    let a = Scores::new([4, 4, 3, 4, 4, 4, 4, 4, 4]).unwrap();
    let b = Scores::new([3, 3, 3, 3, 3, 3, 3, 3, 3]).unwrap();
    let t: SkmTally = [a, b].iter().collect();
    assert_eq!(t.nrr(Element::U1), Some(3.5));
    assert_eq!(t.nrr(Element::U3), Some(3.0));
    // Σ = 35 + 27 = 62; unit = 2500·62/18 = 8611.1 → 86.11 (B).
    assert_eq!(t.unit_ikm_hundredths(), Some(8611));
    assert_eq!(t.unit_ikm(), Some(86.11));
    assert!((t.ikm().unwrap() - 62.0 / 18.0).abs() < 1e-12);
    assert_eq!(t.mutu(), Some(Mutu::B));
    let mut merged = SkmTally::from_iter([a]);
    merged.merge(&SkmTally::from_iter([b]));
    assert_eq!(merged, t);
}

#[test]
fn classification_table_rows() {
    let rows = [
        (2500, Mutu::D),
        (6499, Mutu::D),
        (6500, Mutu::C),
        (7660, Mutu::C),
        (7661, Mutu::B),
        (8830, Mutu::B),
        (8831, Mutu::A),
        (10000, Mutu::A),
    ];
    for (h, want) in rows {
        assert_eq!(Mutu::from_unit_ikm_hundredths(h), want, "{h}");
    }
    let labels = [Mutu::A, Mutu::B, Mutu::C, Mutu::D].map(Mutu::kinerja_label);
    assert_eq!(labels, ["Sangat Baik", "Baik", "Kurang Baik", "Tidak Baik"]);
    // The 1–4 column is the same boundaries divided by 25.
    assert_eq!(tally_with_total(1, 36).ikm(), Some(4.0));
    assert_eq!(tally_with_total(1, 9).unit_ikm_hundredths(), Some(2500));
}

/// Exact unit IKM = 2500·S / (9n) hundredths; each case picks n and S so the
/// exact value is the boundary named in the reference.
#[test]
fn rounding_boundaries() {
    let cases = [
        (5000, 158_949, 8831, Mutu::A), // 88.305 → 88.31 → A
        (2500, 79_479, 8831, Mutu::A),  // 88.31 exactly
        (250, 7_947, 8830, Mutu::B),    // 88.30
        (5000, 137_889, 7661, Mutu::B), // 76.605 → 76.61 → B
        (125, 3_447, 7660, Mutu::C),    // 76.60
        (5, 117, 6500, Mutu::C),        // 65.00
        (2500, 58_491, 6499, Mutu::D),  // 64.99
    ];
    for (n, total, hundredths, mutu) in cases {
        let t = tally_with_total(n, total);
        assert_eq!(t.unit_ikm_hundredths(), Some(hundredths), "n={n} S={total}");
        assert_eq!(t.mutu(), Some(mutu), "n={n} S={total}");
    }
}

#[test]
fn approximating_one_ninth_misclassifies() {
    let t = tally_with_total(5000, 158_949); // exactly 88.305
    let nrr_sum: f64 = Element::ALL.iter().map(|&e| t.nrr(e).unwrap()).sum();
    let approx = (nrr_sum * 0.111 * 25.0 * 100.0).round() as u32;
    assert_eq!(Mutu::from_unit_ikm_hundredths(approx), Mutu::B);
    assert_eq!(t.mutu(), Some(Mutu::A));
}

#[test]
fn krejcie_morgan_table() {
    let table = [
        (0, 0),
        (1, 1),
        (10, 10),
        (15, 14),
        (50, 44),
        (100, 80),
        (200, 132),
        (500, 217),
        (1000, 278),
        (2000, 322),
        (5000, 357),
        (10_000, 370),
        (75_000, 382),
        (1_000_000, 384),
    ];
    for (population, sample) in table {
        assert_eq!(min_respondents(population), sample, "N={population}");
    }
    assert_eq!(min_respondents(u64::MAX), 384);
    assert!(is_valid_sample(80, 100));
    assert!(!is_valid_sample(79, 100));
    assert!(!is_valid_sample(0, 0));
    assert!(is_valid_sample(1, 0));
}

fn respondents() -> impl Strategy<Value = Vec<[u8; 9]>> {
    prop::collection::vec(prop::array::uniform9(1u8..=4), 1..40)
}

proptest! {
    #[test]
    fn unit_ikm_is_within_25_and_100(all in respondents()) {
        let t: SkmTally = all.iter().map(|s| Scores::new(*s).unwrap()).collect();
        let h = t.unit_ikm_hundredths().unwrap();
        prop_assert!((2500..=10_000).contains(&h));
    }

    #[test]
    fn raising_a_score_never_lowers_unit_ikm(all in respondents(), who in any::<prop::sample::Index>(), which in 0usize..9) {
        let before: SkmTally = all.iter().map(|s| Scores::new(*s).unwrap()).collect();
        let mut raised = all.clone();
        let row = &mut raised[who.index(all.len())];
        row[which] = (row[which] + 1).min(4);
        let after: SkmTally = raised.iter().map(|s| Scores::new(*s).unwrap()).collect();
        prop_assert!(after.unit_ikm_hundredths() >= before.unit_ikm_hundredths());
    }

    #[test]
    fn min_respondents_never_exceeds_population(n in 0u64..10_000_000) {
        prop_assert!(min_respondents(n) <= n);
        prop_assert!(min_respondents(n) <= 384);
    }
}
