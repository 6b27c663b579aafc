//! Tests for [`super`]: valid and invalid NIPs, warnings, serde, automerge,
//! and no panic on arbitrary input.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn valid_male() {
    // 19930708 | 201903 | 1 | 090
    let nip = Nip::parse("199307082019031090").unwrap();
    assert_eq!(nip.birth_date(), d(1993, 7, 8));
    assert_eq!(nip.tmt_cpns(), (2019, 3));
    assert_eq!(nip.gender(), Gender::Male);
    assert_eq!(nip.sequence(), 90);
    assert_eq!(nip.as_str(), "199307082019031090");
    assert_eq!(nip.to_string(), "199307082019031090");
    assert!(nip.warnings().is_empty());
}

#[test]
fn valid_female() {
    // 19880218 | 201006 | 2 | 056
    let nip: Nip = " 198802182010062056\n".parse().unwrap();
    assert_eq!(nip.birth_date(), d(1988, 2, 18));
    assert_eq!(nip.tmt_cpns(), (2010, 6));
    assert_eq!(nip.gender(), Gender::Female);
    assert_eq!(nip.sequence(), 56);
    assert_eq!(nip.as_str(), "198802182010062056");
}

#[test]
fn leap_day_and_sequence_edges() {
    let nip = Nip::parse("200002292020121999").unwrap();
    assert_eq!(nip.birth_date(), d(2000, 2, 29));
    assert_eq!(nip.sequence(), 999);
    assert_eq!(nip.tmt_cpns(), (2020, 12));
    assert!(nip.warnings().is_empty());
    assert!(matches!(Nip::parse("199902292020121001"), Err(NipError::InvalidBirthDate { .. })));
}

#[test]
fn invalid_nips() {
    let cases = [
        ("199302302019031001", NipError::InvalidBirthDate { value: "19930230".into() }),
        ("199313082019031001", NipError::InvalidBirthDate { value: "19931308".into() }),
        ("199307002019031001", NipError::InvalidBirthDate { value: "19930700".into() }),
        ("199307082019131001", NipError::InvalidTmt { value: "201913".into() }),
        ("199307082019001001", NipError::InvalidTmt { value: "201900".into() }),
        ("199307082019033090", NipError::InvalidGender { digit: '3' }),
        ("199307082019030090", NipError::InvalidGender { digit: '0' }),
        ("19930708201903109", NipError::WrongLength { len: 17 }),
        ("1993070820190310900", NipError::WrongLength { len: 19 }),
        ("", NipError::WrongLength { len: 0 }),
        ("19930708201903109A", NipError::NotDigits),
        ("19930708 201903 1 090", NipError::NotDigits),
        ("١٩٩٣٠٧٠٨٢٠١٩٠٣١٠٩٠", NipError::NotDigits),
    ];
    for (input, want) in cases {
        assert_eq!(Nip::parse(input), Err(want), "{input:?}");
    }
}

#[test]
fn error_messages() {
    let err = NipError::InvalidGender { digit: '3' };
    assert_eq!(err.to_string(), "gender digit (position 15) must be 1 or 2, got 3");
    assert_eq!(err.user_message(), "kode jenis kelamin (angka ke-15) harus 1 atau 2, tertulis 3");
    assert_eq!(NipError::WrongLength { len: 17 }.user_message(), "NIP harus 18 angka, tertulis 17");
    let wrapped = crate::error::ValidationError::new("nip", err.into());
    assert!(wrapped.user_message().contains("harus 1 atau 2"));
}

#[test]
fn tmt_before_age_18_is_a_warning() {
    // Born 1 Jan 2005, CPNS from March 2019 (age 14).
    let nip = Nip::parse("200501012019031001").unwrap();
    let warnings = nip.warnings();
    assert_eq!(warnings, [NipWarning::TmtBeforeAge18 { birth_date: d(2005, 1, 1), tmt_year: 2019, tmt_month: 3 }]);
    assert!(warnings[0].describe_id().contains("03/2019"));
    // Exactly 18 on the TMT day: fine.
    assert!(Nip::parse("200103012019031001").unwrap().warnings().is_empty());
    // 18 a day after the TMT: warned.
    assert_eq!(Nip::parse("200103022019031001").unwrap().warnings().len(), 1);
}

#[test]
fn serde_is_the_digit_string_and_validates() {
    let nip = Nip::parse("199307082019031090").unwrap();
    assert_eq!(serde_json::to_string(&nip).unwrap(), "\"199307082019031090\"");
    assert_eq!(serde_json::from_str::<Nip>("\"199307082019031090\"").unwrap(), nip);
    assert!(serde_json::from_str::<Nip>("\"199307082019033090\"").is_err());
    assert!(serde_json::from_str::<Nip>("199307082019031090").is_err());
}

#[test]
fn automerge_round_trip() {
    let nip = Nip::parse("198802182010062056").unwrap();
    let mut doc = automerge::AutoCommit::new();
    autosurgeon::reconcile::reconcile_prop(&mut doc, automerge::ROOT, "nip", &nip).unwrap();
    let raw: String = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "nip").unwrap();
    assert_eq!(raw, "198802182010062056");
    let back: Nip = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "nip").unwrap();
    assert_eq!(back, nip);
    autosurgeon::reconcile::reconcile_prop(&mut doc, automerge::ROOT, "nip", "not a nip").unwrap();
    let bad: Result<Nip, _> = autosurgeon::hydrate_prop(&doc, automerge::ROOT, "nip");
    assert!(bad.is_err());
}

proptest! {
    #[test]
    fn parse_never_panics(s in ".*") {
        let _ = Nip::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_digit_strings(s in "[0-9]{0,20}") {
        if let Ok(nip) = Nip::parse(&s) {
            prop_assert_eq!(nip.as_str(), s.as_str());
            let _ = nip.warnings();
        }
    }

    #[test]
    fn valid_nips_round_trip(
        y in 1900i32..2010, m in 1u32..=12, day in 1u32..=28,
        ty in 1950i32..2030, tm in 1u32..=12, g in 1u8..=2, seq in 0u16..1000,
    ) {
        let text = format!("{y:04}{m:02}{day:02}{ty:04}{tm:02}{g}{seq:03}");
        let nip = Nip::parse(&text).unwrap();
        prop_assert_eq!(nip.birth_date(), d(y, m, day));
        prop_assert_eq!(nip.tmt_cpns(), (ty, tm));
        prop_assert_eq!(nip.sequence(), seq);
        prop_assert_eq!(nip.gender() == Gender::Male, g == 1);
        prop_assert_eq!(nip.to_string().parse::<Nip>().unwrap(), nip);
    }
}
