//! Appraisal ratings and the predikat kinerja (REFERENCE §1, PermenPANRB 6/2022).
//!
//! Each period an employee gets two [`Rating`]s: Hasil Kerja (work results) and
//! Perilaku Kerja (the seven BerAKHLAK values). The [`predikat`] matrix turns the
//! pair into one of five [`Predikat`]s, which drive the distribution curve,
//! promotion, talent placement and credit points.
//!
//! The `suggest_*` helpers propose an overall rating from the per-target (or
//! per-value) ratings; the appraiser still decides. "Most" is read as a
//! **strict majority** (more than half), which also covers "all".

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// One of the three ratings for Hasil Kerja or Perilaku Kerja.
///
/// Ordered worst to best, so `DiAtasEkspektasi > SesuaiEkspektasi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Rating {
    DiBawahEkspektasi,
    SesuaiEkspektasi,
    DiAtasEkspektasi,
}

named_enum!(Rating, "rating", [DiBawahEkspektasi, SesuaiEkspektasi, DiAtasEkspektasi]);

impl Rating {
    /// Ratings are often entered as 1/2/3 (below/as expected/above); anything
    /// else is refused rather than guessed.
    pub fn from_score(score: u8) -> Result<Rating, ValidationError> {
        match score {
            1 => Ok(Rating::DiBawahEkspektasi),
            2 => Ok(Rating::SesuaiEkspektasi),
            3 => Ok(Rating::DiAtasEkspektasi),
            other => Err(ValidationError::out_of_range("rating", other, 1, 3)),
        }
    }

    /// Inverse of [`Rating::from_score`]: 1 below, 2 as expected, 3 above.
    pub const fn score(self) -> u8 {
        match self {
            Rating::DiBawahEkspektasi => 1,
            Rating::SesuaiEkspektasi => 2,
            Rating::DiAtasEkspektasi => 3,
        }
    }

    /// The label shown to people.
    pub const fn label_id(self) -> &'static str {
        match self {
            Rating::DiBawahEkspektasi => "Di Bawah Ekspektasi",
            Rating::SesuaiEkspektasi => "Sesuai Ekspektasi",
            Rating::DiAtasEkspektasi => "Di Atas Ekspektasi",
        }
    }
}

/// The predikat kinerja. Declared best first, so the derived `Ord` puts
/// `SangatBaik` *first*; compare quality with [`Predikat::rank`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Predikat {
    SangatBaik,
    Baik,
    ButuhPerbaikan,
    /// The "Kurang/Misconduct" cell: good results but behaviour below expectations.
    Kurang,
    SangatKurang,
}

named_enum!(Predikat, "predikat", [SangatBaik, Baik, ButuhPerbaikan, Kurang, SangatKurang]);

impl Predikat {
    /// The label shown to people, as written in the regulation's matrix.
    pub const fn label_id(self) -> &'static str {
        match self {
            Predikat::SangatBaik => "Sangat Baik",
            Predikat::Baik => "Baik",
            Predikat::ButuhPerbaikan => "Butuh Perbaikan",
            Predikat::Kurang => "Kurang/Misconduct",
            Predikat::SangatKurang => "Sangat Kurang",
        }
    }

    /// Position from the top: 1 = Sangat Baik (best) … 5 = Sangat Kurang.
    pub const fn rank(self) -> u8 {
        match self {
            Predikat::SangatBaik => 1,
            Predikat::Baik => 2,
            Predikat::ButuhPerbaikan => 3,
            Predikat::Kurang => 4,
            Predikat::SangatKurang => 5,
        }
    }

    /// "At least Baik" is the bar for promotion and the succession group (§5).
    pub const fn is_at_least_baik(self) -> bool {
        self.rank() <= Predikat::Baik.rank()
    }
}

/// The predikat for a pair of ratings (REFERENCE §1 matrix).
///
/// Behaviour below expectations caps the result at Kurang/Misconduct however
/// good the work was; poor work caps it at Butuh Perbaikan however good the
/// behaviour was; Sangat Baik needs both above expectations.
pub const fn predikat(hasil_kerja: Rating, perilaku: Rating) -> Predikat {
    use Rating::{DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai};
    match (hasil_kerja, perilaku) {
        (Atas, Atas) => Predikat::SangatBaik,
        (Atas | Sesuai, Sesuai) | (Sesuai, Atas) => Predikat::Baik,
        (Atas | Sesuai, Bawah) => Predikat::Kurang,
        (Bawah, Sesuai | Atas) => Predikat::ButuhPerbaikan,
        (Bawah, Bawah) => Predikat::SangatKurang,
    }
}

/// Proposes the overall Hasil Kerja rating from each SKP target's rating and
/// whether that target is a main (utama) one.
///
/// Above when a strict majority is above **and** no main target is below;
/// below when a strict majority is below; otherwise as expected. `None` when
/// there are no targets yet.
pub fn suggest_hasil_kerja(results: &[(Rating, bool)]) -> Option<Rating> {
    if results.is_empty() {
        return None;
    }
    let main_below = results.iter().any(|&(r, main)| main && r == Rating::DiBawahEkspektasi);
    let above = majority(results.iter().map(|&(r, _)| r), Rating::DiAtasEkspektasi);
    let below = majority(results.iter().map(|&(r, _)| r), Rating::DiBawahEkspektasi);
    Some(if above && !main_below {
        Rating::DiAtasEkspektasi
    } else if below {
        Rating::DiBawahEkspektasi
    } else {
        Rating::SesuaiEkspektasi
    })
}

/// Proposes the overall Perilaku Kerja rating from the per-value ratings
/// (normally the seven BerAKHLAK values): the strict-majority rating if it is
/// above or below, otherwise as expected. `None` for no ratings.
pub fn suggest_perilaku(ratings: &[Rating]) -> Option<Rating> {
    if ratings.is_empty() {
        return None;
    }
    let iter = || ratings.iter().copied();
    Some(if majority(iter(), Rating::DiAtasEkspektasi) {
        Rating::DiAtasEkspektasi
    } else if majority(iter(), Rating::DiBawahEkspektasi) {
        Rating::DiBawahEkspektasi
    } else {
        Rating::SesuaiEkspektasi
    })
}

/// True when more than half of the ratings equal `wanted`.
fn majority(ratings: impl Iterator<Item = Rating>, wanted: Rating) -> bool {
    let (hits, total) = ratings.fold((0usize, 0usize), |(h, t), r| (h + usize::from(r == wanted), t + 1));
    hits * 2 > total
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use Rating::{DiAtasEkspektasi as A, DiBawahEkspektasi as B, SesuaiEkspektasi as S};

    #[test]
    fn matrix_all_nine_cells() {
        let cases = [
            (A, B, Predikat::Kurang),
            (A, S, Predikat::Baik),
            (A, A, Predikat::SangatBaik),
            (S, B, Predikat::Kurang),
            (S, S, Predikat::Baik),
            (S, A, Predikat::Baik),
            (B, B, Predikat::SangatKurang),
            (B, S, Predikat::ButuhPerbaikan),
            (B, A, Predikat::ButuhPerbaikan),
        ];
        for (hk, pk, want) in cases {
            assert_eq!(predikat(hk, pk), want, "{hk:?} × {pk:?}");
        }
    }

    #[test]
    fn scores_labels_and_names() {
        for r in Rating::ALL {
            assert_eq!(Rating::from_score(r.score()).unwrap(), r);
            assert_eq!(r.name().parse::<Rating>().unwrap(), r);
        }
        assert!(Rating::from_score(0).is_err());
        assert!(Rating::from_score(4).is_err());
        assert!("Di Atas".parse::<Rating>().is_err());
        assert_eq!(A.label_id(), "Di Atas Ekspektasi");
        assert!(A > S && S > B);
        let labels: Vec<_> = Predikat::ALL.iter().map(|p| p.label_id()).collect();
        assert_eq!(labels, ["Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"]);
        let at_least: Vec<_> = Predikat::ALL.iter().map(|p| p.is_at_least_baik()).collect();
        assert_eq!(at_least, [true, true, false, false, false]);
        assert_eq!(Predikat::ALL.map(Predikat::rank), [1, 2, 3, 4, 5]);
        assert_eq!("Kurang".parse::<Predikat>().unwrap(), Predikat::Kurang);
    }

    #[test]
    fn serde_uses_variant_names() {
        assert_eq!(serde_json::to_string(&Predikat::ButuhPerbaikan).unwrap(), "\"ButuhPerbaikan\"");
        assert_eq!(serde_json::from_str::<Rating>("\"DiAtasEkspektasi\"").unwrap(), A);
    }

    #[test]
    fn suggest_hasil_kerja_majorities() {
        assert_eq!(suggest_hasil_kerja(&[]), None);
        assert_eq!(suggest_hasil_kerja(&[(A, true), (A, false), (S, false)]), Some(A));
        assert_eq!(suggest_hasil_kerja(&[(A, true), (A, true)]), Some(A));
        // Majority above, but a main target below: not above.
        assert_eq!(suggest_hasil_kerja(&[(A, false), (A, false), (B, true)]), Some(S));
        // A non-main target below does not block "above".
        assert_eq!(suggest_hasil_kerja(&[(A, true), (A, true), (B, false)]), Some(A));
        // Exactly half is not "most".
        assert_eq!(suggest_hasil_kerja(&[(A, true), (S, false)]), Some(S));
        assert_eq!(suggest_hasil_kerja(&[(B, false), (B, true), (A, true)]), Some(B));
        assert_eq!(suggest_hasil_kerja(&[(B, true), (S, true)]), Some(S));
        assert_eq!(suggest_hasil_kerja(&[(S, true), (A, false), (B, false)]), Some(S));
    }

    #[test]
    fn suggest_perilaku_majorities() {
        assert_eq!(suggest_perilaku(&[]), None);
        assert_eq!(suggest_perilaku(&[A, A, A, A, S, S, B]), Some(A));
        assert_eq!(suggest_perilaku(&[A, A, A, S, S, S, B]), Some(S));
        assert_eq!(suggest_perilaku(&[B, B, B, B, A, A, A]), Some(B));
        assert_eq!(suggest_perilaku(&[S; 7]), Some(S));
    }

    proptest::proptest! {
        /// The matrix is total over any pair of scores (invalid scores are
        /// typed errors, never a panic) and never gives a worse predikat
        /// when either rating is raised.
        #[test]
        fn matrix_is_total_and_monotone(h in proptest::num::u8::ANY, p in proptest::num::u8::ANY) {
            match (Rating::from_score(h), Rating::from_score(p)) {
                (Ok(hr), Ok(pr)) => {
                    let here = predikat(hr, pr).rank();
                    if let Ok(up) = Rating::from_score(h + 1) {
                        proptest::prop_assert!(predikat(up, pr).rank() <= here);
                    }
                    if let Ok(up) = Rating::from_score(p + 1) {
                        proptest::prop_assert!(predikat(hr, up).rank() <= here);
                    }
                }
                (h_res, p_res) => proptest::prop_assert!(!(1..=3).contains(&h) && h_res.is_err() || !(1..=3).contains(&p) && p_res.is_err()),
            }
        }
    }
}
