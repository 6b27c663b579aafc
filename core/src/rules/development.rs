//! Competency development (REFERENCE §3, PP 11/2017; Perlan LAN 10/2018).
//!
//! Every PNS has the right to at least 20 JP (jam pelajaran) of development a
//! year, and 1 JP = 45 minutes. Activities are recorded in whole minutes and
//! every decision is made on minutes (20 JP = 900 minutes), so no rounding of
//! fractional JP can flip "met" to "not met"; JP figures are for display.
//!
//! When a programme has fewer seats than candidates, [`seat_priority`] queues
//! them so the seats serve that right first: the largest shortfall against
//! 20 JP, then the weakest in the value the programme builds, then by NIP, with
//! the reason for each place spelled out.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::predikat::Rating;

/// Minutes in one jam pelajaran.
pub const MINUTES_PER_JP: u32 = 45;

/// The yearly development right/duty per PNS, in JP.
pub const REQUIRED_JP_PER_YEAR: u32 = 20;

/// [`REQUIRED_JP_PER_YEAR`] in minutes (900).
pub const REQUIRED_MINUTES_PER_YEAR: u32 = REQUIRED_JP_PER_YEAR * MINUTES_PER_JP;

/// JP for display, rounded half up to two decimals (e.g. 100 min → 2.22).
pub fn jp_from_minutes(minutes: u32) -> f64 {
    // round_half_up(100·m / 45) = floor((200·m + 45) / 90)
    let hundredths = (200 * u64::from(minutes) + u64::from(MINUTES_PER_JP)) / (2 * u64::from(MINUTES_PER_JP));
    hundredths as f64 / 100.0
}

/// Whether a year's total meets the 20 JP duty.
pub const fn meets_yearly_jp(total_minutes: u32) -> bool {
    total_minutes >= REQUIRED_MINUTES_PER_YEAR
}

/// Minutes still needed this year to reach 20 JP (0 once met).
pub const fn jp_shortfall_minutes(total_minutes: u32) -> u32 {
    REQUIRED_MINUTES_PER_YEAR.saturating_sub(total_minutes)
}

/// Forms of competency development. The first four are classroom
/// (klasikal); the rest are non-classroom (non-klasikal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Reconcile, Hydrate)]
pub enum DevelopmentForm {
    Pelatihan,
    Workshop,
    Seminar,
    Kursus,
    Coaching,
    /// A senior paired with a junior (named explicitly in the seed documents).
    Mentoring,
    ELearning,
    PembelajaranJarakJauh,
    Magang,
    Benchmarking,
    /// Secondment to another agency.
    Detasering,
    BelajarMandiri,
    TeamBuilding,
}

named_enum!(
    DevelopmentForm,
    "development_form",
    [
        Pelatihan,
        Workshop,
        Seminar,
        Kursus,
        Coaching,
        Mentoring,
        ELearning,
        PembelajaranJarakJauh,
        Magang,
        Benchmarking,
        Detasering,
        BelajarMandiri,
        TeamBuilding,
    ]
);

impl DevelopmentForm {
    /// Classroom training (pelatihan klasikal) as opposed to non-classroom.
    pub const fn is_classroom(self) -> bool {
        matches!(
            self,
            DevelopmentForm::Pelatihan | DevelopmentForm::Workshop | DevelopmentForm::Seminar | DevelopmentForm::Kursus
        )
    }

    /// The name shown to people.
    pub const fn label_id(self) -> &'static str {
        match self {
            DevelopmentForm::Pelatihan => "Pelatihan",
            DevelopmentForm::Workshop => "Lokakarya (Workshop)",
            DevelopmentForm::Seminar => "Seminar",
            DevelopmentForm::Kursus => "Kursus",
            DevelopmentForm::Coaching => "Coaching",
            DevelopmentForm::Mentoring => "Mentoring",
            DevelopmentForm::ELearning => "E-Learning",
            DevelopmentForm::PembelajaranJarakJauh => "Pembelajaran Jarak Jauh",
            DevelopmentForm::Magang => "Magang/Praktik Kerja",
            DevelopmentForm::Benchmarking => "Benchmarking",
            DevelopmentForm::Detasering => "Detasering (Secondment)",
            DevelopmentForm::BelajarMandiri => "Belajar Mandiri",
            DevelopmentForm::TeamBuilding => "Team Building",
        }
    }
}

/// Someone asking for a seat in a scarce training programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatCandidate {
    pub nip: String,
    /// Development minutes recorded so far this year.
    pub minutes_this_year: u32,
    /// The candidate's rating in the behaviour value (or competence) the
    /// programme builds, when known.
    pub related: Option<Rating>,
}

/// A candidate's place in the queue for seats, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeatOffer {
    pub nip: String,
    /// 1 = first in line.
    pub position: u32,
    /// [`jp_shortfall_minutes`] of the candidate's year.
    pub shortfall_minutes: u32,
    pub related: Option<Rating>,
    /// Why this place, in Bahasa Indonesia.
    pub reason: String,
}

/// Every candidate in priority order for a programme with few seats.
///
/// Seats go first to whoever is furthest from the 20 JP right (shortfall in
/// minutes, largest first), then to whoever is weakest in the value the
/// programme builds (below, as expected, above, then unknown), then by NIP so
/// the order is the same on every device. Ties are thereby fully resolved for
/// distinct NIPs.
pub fn seat_priority(candidates: &[SeatCandidate]) -> Vec<SeatOffer> {
    let related_key = |r: Option<Rating>| r.map_or(u8::MAX, Rating::score);
    let mut sorted: Vec<(u32, &SeatCandidate)> =
        candidates.iter().map(|c| (jp_shortfall_minutes(c.minutes_this_year), c)).collect();
    sorted.sort_by(|(sa, a), (sb, b)| {
        sb.cmp(sa).then(related_key(a.related).cmp(&related_key(b.related))).then_with(|| a.nip.cmp(&b.nip))
    });
    sorted
        .into_iter()
        .zip(1u32..)
        .map(|((shortfall, c), position)| SeatOffer {
            nip: c.nip.clone(),
            position,
            shortfall_minutes: shortfall,
            related: c.related,
            reason: seat_reason(shortfall, c.related),
        })
        .collect()
}

/// The first `seats` of [`seat_priority`].
pub fn allocate_seats(seats: u32, candidates: &[SeatCandidate]) -> Vec<SeatOffer> {
    let mut offers = seat_priority(candidates);
    offers.truncate(usize::try_from(seats).unwrap_or(usize::MAX));
    offers
}

/// "Kurang 12,51 JP dari 20 JP; nilai terkait di bawah ekspektasi" (x,5 JP is
/// never a whole number of minutes, so it cannot occur).
fn seat_reason(shortfall_minutes: u32, related: Option<Rating>) -> String {
    let jp = if shortfall_minutes == 0 {
        format!("Sudah memenuhi {REQUIRED_JP_PER_YEAR} JP")
    } else {
        format!("Kurang {} JP dari {REQUIRED_JP_PER_YEAR} JP", jp_id(shortfall_minutes))
    };
    match related {
        Some(r) => format!("{jp}; nilai terkait {}", r.label_id().to_lowercase()),
        None => format!("{jp}; nilai terkait belum ada"),
    }
}

/// JP with a decimal comma and no trailing zeros: 540 min → "12", 563 → "12,51".
fn jp_id(minutes: u32) -> String {
    // Same half-up rounding as `jp_from_minutes`, kept in integers.
    let hundredths = (200 * u64::from(minutes) + u64::from(MINUTES_PER_JP)) / (2 * u64::from(MINUTES_PER_JP));
    match hundredths % 100 {
        0 => format!("{}", hundredths / 100),
        f if f % 10 == 0 => format!("{},{}", hundredths / 100, f / 10),
        f => format!("{},{f:02}", hundredths / 100),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use Rating::{DiAtasEkspektasi as Atas, DiBawahEkspektasi as Bawah, SesuaiEkspektasi as Sesuai};

    #[test]
    fn twenty_jp_is_900_minutes() {
        assert_eq!(REQUIRED_MINUTES_PER_YEAR, 900);
        assert!(!meets_yearly_jp(899));
        assert!(meets_yearly_jp(900));
        assert!(meets_yearly_jp(u32::MAX));
        assert_eq!(jp_shortfall_minutes(0), 900);
        assert_eq!(jp_shortfall_minutes(899), 1);
        assert_eq!(jp_shortfall_minutes(900), 0);
        assert_eq!(jp_shortfall_minutes(5000), 0);
    }

    #[test]
    fn jp_display_values() {
        assert_eq!(jp_from_minutes(0), 0.0);
        assert_eq!(jp_from_minutes(45), 1.0);
        assert_eq!(jp_from_minutes(900), 20.0);
        assert_eq!(jp_from_minutes(100), 2.22);
        assert_eq!(jp_from_minutes(120), 2.67);
        assert!(jp_from_minutes(u32::MAX) > 9.5e7);
    }

    #[test]
    fn forms_split_into_classroom_and_not() {
        let classroom: Vec<_> = DevelopmentForm::ALL.into_iter().filter(|f| f.is_classroom()).collect();
        assert_eq!(
            classroom,
            [DevelopmentForm::Pelatihan, DevelopmentForm::Workshop, DevelopmentForm::Seminar, DevelopmentForm::Kursus]
        );
        assert_eq!(DevelopmentForm::ALL.len(), 13);
        assert!(!DevelopmentForm::Mentoring.is_classroom());
        assert_eq!(DevelopmentForm::Detasering.label_id(), "Detasering (Secondment)");
        for f in DevelopmentForm::ALL {
            assert_eq!(f.name().parse::<DevelopmentForm>().unwrap(), f);
            assert!(!f.label_id().is_empty());
        }
    }

    fn cand(nip: &str, minutes_this_year: u32, related: Option<Rating>) -> SeatCandidate {
        SeatCandidate { nip: nip.to_string(), minutes_this_year, related }
    }

    #[test]
    fn seats_by_shortfall_then_weakness_then_nip() {
        let candidates = [
            cand("03", 900, Some(Bawah)),  // met: 0
            cand("05", 337, Some(Atas)),   // 563 short = 12,51 JP
            cand("01", 360, None),         // 540 short = 12 JP
            cand("04", 360, Some(Sesuai)), // 540 short
            cand("02", 360, Some(Sesuai)), // 540 short, nip breaks the tie
            cand("06", 1200, None),        // met: 0
            cand("07", 0, Some(Sesuai)),   // 900 short = 20 JP
        ];
        let order = seat_priority(&candidates);
        let got: Vec<_> = order.iter().map(|o| (o.nip.as_str(), o.position, o.shortfall_minutes)).collect();
        assert_eq!(
            got,
            [
                ("07", 1, 900),
                ("05", 2, 563),
                ("02", 3, 540),
                ("04", 4, 540),
                ("01", 5, 540),
                ("03", 6, 0),
                ("06", 7, 0)
            ]
        );
        let reasons: Vec<_> = order.iter().map(|o| o.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "Kurang 20 JP dari 20 JP; nilai terkait sesuai ekspektasi",
                "Kurang 12,51 JP dari 20 JP; nilai terkait di atas ekspektasi",
                "Kurang 12 JP dari 20 JP; nilai terkait sesuai ekspektasi",
                "Kurang 12 JP dari 20 JP; nilai terkait sesuai ekspektasi",
                "Kurang 12 JP dari 20 JP; nilai terkait belum ada",
                "Sudah memenuhi 20 JP; nilai terkait di bawah ekspektasi",
                "Sudah memenuhi 20 JP; nilai terkait belum ada",
            ]
        );
        let three = allocate_seats(3, &candidates);
        assert_eq!(three, order[..3]);
        assert_eq!(allocate_seats(0, &candidates), []);
        assert_eq!(allocate_seats(100, &candidates), order);
        assert_eq!(seat_priority(&[]), []);
    }

    #[test]
    fn jp_text_uses_a_decimal_comma() {
        assert_eq!(jp_id(562), "12,49");
        assert_eq!(jp_id(563), "12,51");
        assert_eq!(jp_id(540), "12");
        assert_eq!(jp_id(900 - 877), "0,51");
        // 18 minutes = 0,4 JP: trailing zero dropped.
        assert_eq!(
            seat_reason(jp_shortfall_minutes(900 - 18), Some(Bawah)),
            "Kurang 0,4 JP dari 20 JP; nilai terkait di bawah ekspektasi"
        );
    }

    proptest::proptest! {
        /// The order does not depend on the input order, positions are 1..,
        /// and shortfall never rises along the queue.
        #[test]
        fn order_is_a_function_of_the_set(
            raw in proptest::collection::btree_map(0u32..1000, (0u32..1200, 0u8..4), 0..20),
        ) {
            let related = |k: u8| Rating::from_score(k).ok();
            let candidates: Vec<_> = raw.iter().map(|(nip, &(m, r))| cand(&format!("{nip:04}"), m, related(r))).collect();
            let forward = seat_priority(&candidates);
            let reversed: Vec<_> = candidates.iter().rev().cloned().collect();
            proptest::prop_assert_eq!(&forward, &seat_priority(&reversed));
            for (i, pair) in forward.windows(2).enumerate() {
                proptest::prop_assert_eq!(pair[0].position, i as u32 + 1);
                proptest::prop_assert!(pair[0].shortfall_minutes >= pair[1].shortfall_minutes);
            }
        }
    }
}
