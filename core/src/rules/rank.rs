//! PNS ranks and the education ceiling of regular promotion (REFERENCE §5).
//!
//! [`Rank`] is the 17-step golongan/ruang scale I/a … IV/e, always written
//! "III/a" (text, JSON and CRDT documents). Regular promotion moves one step
//! ([`Rank::next`]) and may not pass the ceiling of the highest education.
//! The ceilings are **not from the reference** (it only says a ceiling
//! exists): [`EducationCeilings::default`] is a common reading of the PNS rank
//! rules and is configurable.

use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;

/// PNS rank (golongan/ruang), lowest first; written "III/a" in text, JSON
/// and CRDT documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Rank {
    #[serde(rename = "I/a")]
    #[autosurgeon(rename = "I/a")]
    Ia,
    #[serde(rename = "I/b")]
    #[autosurgeon(rename = "I/b")]
    Ib,
    #[serde(rename = "I/c")]
    #[autosurgeon(rename = "I/c")]
    Ic,
    #[serde(rename = "I/d")]
    #[autosurgeon(rename = "I/d")]
    Id,
    #[serde(rename = "II/a")]
    #[autosurgeon(rename = "II/a")]
    IIa,
    #[serde(rename = "II/b")]
    #[autosurgeon(rename = "II/b")]
    IIb,
    #[serde(rename = "II/c")]
    #[autosurgeon(rename = "II/c")]
    IIc,
    #[serde(rename = "II/d")]
    #[autosurgeon(rename = "II/d")]
    IId,
    #[serde(rename = "III/a")]
    #[autosurgeon(rename = "III/a")]
    IIIa,
    #[serde(rename = "III/b")]
    #[autosurgeon(rename = "III/b")]
    IIIb,
    #[serde(rename = "III/c")]
    #[autosurgeon(rename = "III/c")]
    IIIc,
    #[serde(rename = "III/d")]
    #[autosurgeon(rename = "III/d")]
    IIId,
    #[serde(rename = "IV/a")]
    #[autosurgeon(rename = "IV/a")]
    IVa,
    #[serde(rename = "IV/b")]
    #[autosurgeon(rename = "IV/b")]
    IVb,
    #[serde(rename = "IV/c")]
    #[autosurgeon(rename = "IV/c")]
    IVc,
    #[serde(rename = "IV/d")]
    #[autosurgeon(rename = "IV/d")]
    IVd,
    #[serde(rename = "IV/e")]
    #[autosurgeon(rename = "IV/e")]
    IVe,
}

impl Rank {
    /// All 17 ranks, lowest first.
    pub const ALL: [Rank; 17] = [
        Rank::Ia,
        Rank::Ib,
        Rank::Ic,
        Rank::Id,
        Rank::IIa,
        Rank::IIb,
        Rank::IIc,
        Rank::IId,
        Rank::IIIa,
        Rank::IIIb,
        Rank::IIIc,
        Rank::IIId,
        Rank::IVa,
        Rank::IVb,
        Rank::IVc,
        Rank::IVd,
        Rank::IVe,
    ];

    /// The conventional notation, e.g. "III/a".
    pub const fn as_str(self) -> &'static str {
        match self {
            Rank::Ia => "I/a",
            Rank::Ib => "I/b",
            Rank::Ic => "I/c",
            Rank::Id => "I/d",
            Rank::IIa => "II/a",
            Rank::IIb => "II/b",
            Rank::IIc => "II/c",
            Rank::IId => "II/d",
            Rank::IIIa => "III/a",
            Rank::IIIb => "III/b",
            Rank::IIIc => "III/c",
            Rank::IIId => "III/d",
            Rank::IVa => "IV/a",
            Rank::IVb => "IV/b",
            Rank::IVc => "IV/c",
            Rank::IVd => "IV/d",
            Rank::IVe => "IV/e",
        }
    }
}

impl Rank {
    /// The rank a regular promotion leads to; `None` at IV/e.
    pub fn next(self) -> Option<Rank> {
        let position = Rank::ALL.iter().position(|&r| r == self)?;
        Rank::ALL.get(position + 1).copied()
    }
}

impl fmt::Display for Rank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rank {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rank::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ValidationError::unknown("rank", s, &Rank::ALL.map(Rank::as_str)))
    }
}

/// Highest completed education.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum Education {
    SD,
    SMP,
    SMA,
    D1,
    D2,
    D3,
    D4,
    S1,
    S2,
    S3,
}

named_enum!(Education, "education", [SD, SMP, SMA, D1, D2, D3, D4, S1, S2, S3]);

/// Highest rank reachable by regular promotion per education.
/// **Local default, not from the reference**; configure per agency.
/// A level missing from a configured table keeps its default ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EducationCeilings {
    pub sd: Rank,
    pub smp: Rank,
    pub sma: Rank,
    pub d1: Rank,
    pub d2: Rank,
    pub d3: Rank,
    pub d4: Rank,
    pub s1: Rank,
    pub s2: Rank,
    pub s3: Rank,
}

impl Default for EducationCeilings {
    fn default() -> Self {
        use Rank::*;
        EducationCeilings {
            sd: IIa,
            smp: IIc,
            sma: IIIb,
            d1: IIIb,
            d2: IIIb,
            d3: IIIc,
            d4: IIId,
            s1: IIId,
            s2: IVa,
            s3: IVb,
        }
    }
}

impl EducationCeilings {
    pub const fn ceiling(&self, education: Education) -> Rank {
        match education {
            Education::SD => self.sd,
            Education::SMP => self.smp,
            Education::SMA => self.sma,
            Education::D1 => self.d1,
            Education::D2 => self.d2,
            Education::D3 => self.d3,
            Education::D4 => self.d4,
            Education::S1 => self.s1,
            Education::S2 => self.s2,
            Education::S3 => self.s3,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn ranks_notation_order_and_next() {
        let names: Vec<_> = Rank::ALL.iter().map(|r| r.to_string()).collect();
        assert_eq!(names[0], "I/a");
        assert_eq!(names[8], "III/a");
        assert_eq!(names[16], "IV/e");
        for r in Rank::ALL {
            assert_eq!(r.as_str().parse::<Rank>().unwrap(), r);
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{r}\""));
        }
        assert!("III/e".parse::<Rank>().is_err());
        assert!("IIIa".parse::<Rank>().is_err());
        assert_eq!(Rank::Id.next(), Some(Rank::IIa));
        assert_eq!(Rank::IIId.next(), Some(Rank::IVa));
        assert_eq!(Rank::IVe.next(), None);
        assert!(Rank::IIIa < Rank::IIIb && Rank::IId < Rank::IIIa);
        assert_eq!(serde_json::from_str::<Rank>("\"IV/e\"").unwrap(), Rank::IVe);
    }

    #[test]
    fn rank_is_stored_as_notation_in_automerge() {
        let mut doc = automerge::AutoCommit::new();
        autosurgeon::reconcile::reconcile_prop(&mut doc, automerge::ROOT, "rank", Rank::IIIa).unwrap();
        let raw: String = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "rank").unwrap();
        assert_eq!(raw, "III/a");
        let back: Rank = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "rank").unwrap();
        assert_eq!(back, Rank::IIIa);
    }

    #[test]
    fn default_education_ceilings() {
        let c = EducationCeilings::default();
        let table = [
            (Education::SD, "II/a"),
            (Education::SMP, "II/c"),
            (Education::SMA, "III/b"),
            (Education::D1, "III/b"),
            (Education::D2, "III/b"),
            (Education::D3, "III/c"),
            (Education::D4, "III/d"),
            (Education::S1, "III/d"),
            (Education::S2, "IV/a"),
            (Education::S3, "IV/b"),
        ];
        for (education, rank) in table {
            assert_eq!(c.ceiling(education).as_str(), rank, "{education:?}");
        }
        assert_eq!(Education::ALL.len(), 10);
        assert_eq!("S1".parse::<Education>().unwrap(), Education::S1);
    }
}
