//! What HR enters: settings, unit periods, potentials, sanctions,
//! programmes and their seats. Each set, replaced and read back, per tenant.

use super::*;

const T: &str = "manokwari";
const THEM: &str = "lhokseumawe";

fn json(s: Option<String>) -> Option<serde_json::Value> {
    s.map(|s| serde_json::from_str(&s).expect("settings read back as JSON"))
}

pub(super) fn settings(s: &dyn Storage) {
    two_tenants(s);
    assert!(s.settings(T).unwrap().is_none(), "no settings yet");
    let first = r#"{"utc_offset_minutes":540,"allowance":{"Baik":100.0}}"#;
    s.set_settings(T, first).unwrap();
    assert_eq!(json(s.settings(T).unwrap()), json(Some(first.into())), "settings read back as set");
    assert!(s.settings(THEM).unwrap().is_none(), "settings are per tenant");
    let second = r#"{"utc_offset_minutes":420}"#;
    s.set_settings(T, second).unwrap();
    assert_eq!(json(s.settings(T).unwrap()), json(Some(second.into())), "set_settings replaces");
    s.set_settings(THEM, first).unwrap();
    assert_eq!(json(s.settings(T).unwrap()), json(Some(second.into())), "another tenant's settings leave these alone");
    assert_eq!(json(s.settings(THEM).unwrap()), json(Some(first.into())));
}

pub(super) fn unit_period(unit: &str, period: &str, rating: Option<&str>, population: Option<u64>) -> UnitPeriodRow {
    UnitPeriodRow { unit_id: unit.into(), period: period.into(), rating: rating.map(str::to_string), population }
}

fn sorted_periods(mut v: Vec<UnitPeriodRow>) -> Vec<UnitPeriodRow> {
    v.sort_by(|a, b| a.unit_id.cmp(&b.unit_id));
    v
}

pub(super) fn unit_periods(s: &dyn Storage) {
    two_tenants(s);
    let u1 = unit_period("u1", "2026-Q3", Some("Baik"), Some(1_200));
    let u2 = unit_period("u2", "2026-Q3", None, None);
    let u1q2 = unit_period("u1", "2026-Q2", Some("Istimewa"), Some(u64::from(u32::MAX) + 1));
    for r in [&u2, &u1, &u1q2] {
        s.set_unit_period(T, r).unwrap();
    }
    assert_eq!(
        sorted_periods(s.unit_periods(T, "2026-Q3").unwrap()),
        vec![u1.clone(), u2.clone()],
        "the period's units, with or without values"
    );
    assert_eq!(
        s.unit_periods(T, "2026-Q2").unwrap(),
        vec![u1q2.clone()],
        "another period apart; large populations kept"
    );
    assert!(s.unit_periods(T, "2026-Q1").unwrap().is_empty());
    let replaced = unit_period("u1", "2026-Q3", Some("Kurang"), None);
    s.set_unit_period(T, &replaced).unwrap();
    assert_eq!(
        sorted_periods(s.unit_periods(T, "2026-Q3").unwrap()),
        vec![replaced.clone(), u2.clone()],
        "set_unit_period replaces one unit and period"
    );
    assert!(s.unit_periods(THEM, "2026-Q3").unwrap().is_empty(), "unit periods are per tenant");
    s.set_unit_period(THEM, &u1).unwrap();
    assert_eq!(
        sorted_periods(s.unit_periods(T, "2026-Q3").unwrap()),
        vec![replaced, u2],
        "another tenant's row leaves these alone"
    );
    assert_eq!(s.unit_periods(THEM, "2026-Q3").unwrap(), vec![u1]);
}

pub(super) fn potential(n: &str, score: f64, on: &str) -> PotentialRow {
    PotentialRow { nip: n.into(), score, assessed_on: on.into() }
}

pub(super) fn sanction(n: &str, level: &str, on: &str, note: &str) -> SanctionRow {
    SanctionRow { nip: n.into(), level: level.into(), decided_on: on.into(), note: note.into() }
}

pub(super) fn potentials_and_sanctions(s: &dyn Storage) {
    two_tenants(s);
    let sorted = |mut v: Vec<PotentialRow>| {
        v.sort_by(|a, b| a.nip.cmp(&b.nip));
        v
    };
    assert!(s.potentials(T).unwrap().is_empty());
    s.set_potential(T, &potential(OTHER, 64.25, "2026-05-01")).unwrap();
    s.set_potential(T, &potential(STAFF, 82.5, "2026-06-01")).unwrap();
    assert_eq!(
        sorted(s.potentials(T).unwrap()),
        vec![potential(STAFF, 82.5, "2026-06-01"), potential(OTHER, 64.25, "2026-05-01")],
        "potentials read back as set"
    );
    s.set_potential(T, &potential(STAFF, 90.0, "2026-09-01")).unwrap();
    assert_eq!(
        sorted(s.potentials(T).unwrap()),
        vec![potential(STAFF, 90.0, "2026-09-01"), potential(OTHER, 64.25, "2026-05-01")],
        "set_potential replaces a person's score"
    );
    assert!(s.potentials(THEM).unwrap().is_empty(), "potentials are per tenant");
    s.set_potential(THEM, &potential(STAFF, 10.0, "2026-01-01")).unwrap();
    assert_eq!(s.potentials(T).unwrap().len(), 2, "another tenant's score leaves these alone");
    assert_eq!(s.potentials(THEM).unwrap(), vec![potential(STAFF, 10.0, "2026-01-01")]);

    assert!(s.sanctions(T).unwrap().is_empty());
    let late = sanction(OTHER, "Berat", "2026-01-10", "Tidak masuk 30 hari");
    let early = sanction(OTHER, "Ringan", "2025-03-01", "Teguran lisan");
    let staff = sanction(STAFF, "Sedang", "2024-11-20", "Penundaan kenaikan gaji");
    for x in [&late, &early, &staff] {
        s.add_sanction(T, x).unwrap();
    }
    assert_eq!(
        s.sanctions(T).unwrap(),
        vec![staff.clone(), early.clone(), late.clone()],
        "sanctions by NIP, then date"
    );
    assert!(s.sanctions(THEM).unwrap().is_empty(), "sanctions are per tenant");
    s.add_sanction(THEM, &staff).unwrap();
    assert_eq!(s.sanctions(THEM).unwrap(), vec![staff.clone()]);
    assert_eq!(s.sanctions(T).unwrap().len(), 3, "another tenant's sanction leaves these alone");
}

pub(super) fn programme(id: &str, start: &str, units: &[&str]) -> ProgrammeRow {
    ProgrammeRow {
        id: id.into(),
        title: format!("Program {id}"),
        form: "Pelatihan".into(),
        provider: "BPSDM".into(),
        start_date: start.into(),
        end_date: "2026-12-31".into(),
        minutes: 900,
        seats: 25,
        value: if units.is_empty() { None } else { Some("kompeten".into()) },
        unit_ids: units.iter().map(|u| u.to_string()).collect(),
    }
}

pub(super) fn seat(position: u32, n: &str, reason: &str) -> SeatRow {
    SeatRow { position, nip: n.into(), reason: reason.into() }
}

pub(super) fn programmes_and_seats(s: &dyn Storage) {
    two_tenants(s);
    let (p2, p1, p0) = (
        programme("p2", "2026-08-01", &[]),
        programme("p1", "2026-07-01", &["u1", "u2"]),
        programme("p0", "2026-08-01", &["u3"]),
    );
    for p in [&p2, &p1, &p0] {
        s.create_programme(T, p).unwrap();
    }
    assert_eq!(
        s.programmes(T).unwrap(),
        vec![p1.clone(), p0.clone(), p2.clone()],
        "programmes by start date, then id, every field kept"
    );
    let dup = ProgrammeRow { title: "Lain".into(), ..p1.clone() };
    assert!(
        matches!(s.create_programme(T, &dup), Err(StorageError::Conflict(_))),
        "a programme id is unique in its tenant"
    );
    assert_eq!(s.programmes(T).unwrap()[0], p1, "a refused duplicate changes nothing");
    assert!(s.programmes(THEM).unwrap().is_empty(), "programmes are per tenant");
    s.create_programme(THEM, &dup).unwrap();
    assert_eq!(s.programmes(THEM).unwrap(), vec![dup], "the same id in another tenant is another programme");

    assert!(s.seats(T, "p1").unwrap().is_empty(), "no seats yet");
    s.set_seats(
        T,
        "p1",
        &[
            seat(2, OTHER, "Nilai kompeten rendah"),
            seat(1, STAFF, "Target di bawah ekspektasi"),
            seat(3, BOSS, "Cadangan"),
        ],
    )
    .unwrap();
    assert_eq!(
        s.seats(T, "p1").unwrap(),
        vec![
            seat(1, STAFF, "Target di bawah ekspektasi"),
            seat(2, OTHER, "Nilai kompeten rendah"),
            seat(3, BOSS, "Cadangan")
        ],
        "seats in position order"
    );
    s.set_seats(T, "p1", &[seat(1, OTHER, "Diganti")]).unwrap();
    assert_eq!(s.seats(T, "p1").unwrap(), vec![seat(1, OTHER, "Diganti")], "set_seats replaces the whole list");
    assert!(s.seats(T, "p0").unwrap().is_empty(), "seats are per programme");
    assert!(s.seats(THEM, "p1").unwrap().is_empty(), "seats are per tenant");
    s.set_seats(THEM, "p1", &[seat(1, STAFF, "Mereka")]).unwrap();
    assert_eq!(s.seats(T, "p1").unwrap(), vec![seat(1, OTHER, "Diganti")], "another tenant's seats leave these alone");
    s.set_seats(T, "p1", &[]).unwrap();
    assert!(s.seats(T, "p1").unwrap().is_empty(), "an empty list clears the seats");
    assert_eq!(s.seats(THEM, "p1").unwrap().len(), 1);
}
