//! Tests for [`super`]: the default table, partial JSON and the bounds.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

#[test]
fn default_table_and_lookup() {
    let t = AllowanceTable::default();
    assert_eq!(Predikat::ALL.map(|p| t.percent(p)), [100.0, 100.0, 80.0, 60.0, 40.0]);
    assert!(t.validate().is_ok());
    let partial: AllowanceTable = serde_json::from_str(r#"{"baik": 90}"#).unwrap();
    assert_eq!(partial.percent(Predikat::Baik), 90.0);
    assert_eq!(partial.percent(Predikat::Kurang), 60.0);
}

#[test]
fn validate_bounds() {
    let ok = AllowanceTable { sangat_baik: 0.0, sangat_kurang: 100.0, ..AllowanceTable::default() };
    assert!(ok.validate().is_ok());
    let cases = [
        (AllowanceTable { kurang: -0.5, ..AllowanceTable::default() }, "allowance.kurang"),
        (AllowanceTable { baik: 100.01, ..AllowanceTable::default() }, "allowance.baik"),
        (AllowanceTable { sangat_kurang: f64::NAN, ..AllowanceTable::default() }, "allowance.sangat_kurang"),
        (AllowanceTable { butuh_perbaikan: f64::INFINITY, ..AllowanceTable::default() }, "allowance.butuh_perbaikan"),
    ];
    for (table, field) in cases {
        assert_eq!(table.validate().unwrap_err().field, field);
    }
    let nan = AllowanceTable { sangat_kurang: f64::NAN, ..AllowanceTable::default() };
    assert_eq!(nan.validate().unwrap_err().reason, Reason::NotFinite);
}
