//! Attendance at a BKPSDM programme recorded offline on a tablet at the
//! venue, and by HR for the same person: one document, JP credited once.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use chrono::NaiveDate;
use prestasi_core::model::{DocId, Training};
use prestasi_core::rules::DevelopmentForm;
use prestasi_core::rules::nip::Nip;
use prestasi_e2e::{Hr, MANOKWARI, World};
use serde_json::json;

fn minutes_of(hr: &Hr, nip: &str) -> u64 {
    let rows = hr.get("/v1/hr/reports/development?year=2026");
    let row = rows["rows"].as_array().unwrap().iter().find(|r| r["nip"] == nip).cloned().unwrap();
    row["minutes"].as_u64().unwrap()
}

#[test]
fn attendance_from_the_venue_tablet_and_from_hr_is_credited_once() {
    let w = World::start();
    let p = &w.people;
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let (status, body) = hr.send(
        "POST",
        "/v1/hr/programmes",
        json!({"id": "prg-2026-07", "title": "Pelatihan Pelayanan Prima", "form": "Pelatihan",
               "provider": "BPSDM Papua Barat", "start_date": "2026-07-06", "end_date": "2026-07-07",
               "jp": 16, "seats": 10, "value": "berorientasi_pelayanan"}),
    );
    assert_eq!(status, 200, "{body}");
    let (a, b) = (&p.staff_a[0], &p.staff_a[1]);
    assert_eq!((minutes_of(&hr, a), minutes_of(&hr, b)), (0, 0));

    // At the venue, offline: the unit's tablet records both attendees.
    let tablet = w.supervisor_a();
    tablet.client.sync_now().unwrap();
    for nip in [a, b] {
        let nip = Nip::parse(nip).unwrap();
        let t = Training {
            employee_nip: nip.clone(),
            form: DevelopmentForm::Pelatihan,
            title: "Pelatihan Pelayanan Prima".into(),
            provider: "BPSDM Papua Barat".into(),
            start: NaiveDate::from_ymd_opt(2026, 7, 6).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 7, 7).unwrap(),
            minutes: 16 * 45,
            programme_id: Some("prg-2026-07".into()),
        };
        tablet.store.create(DocId::for_attendance("prg-2026-07", &nip), &t, &tablet.author()).unwrap();
    }
    // Meanwhile HR records the first attendee from the sign-in sheet.
    let (status, body) = hr.send("POST", "/v1/hr/programmes/prg-2026-07/attendance", json!({"nip": a}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["doc_id"], DocId::for_attendance("prg-2026-07", &Nip::parse(a).unwrap()).to_string());

    // The tablet comes online: both accepted, the same document as HR's.
    let r = tablet.client.sync_now().unwrap();
    assert_eq!((r.accepted, r.rejected), (2, 0));
    assert_eq!(minutes_of(&hr, a), 720, "16 JP once, not twice");
    assert_eq!(minutes_of(&hr, b), 720);
    let detail = hr.get("/v1/hr/programmes/prg-2026-07");
    let mut attended: Vec<&str> = detail["attended"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    attended.sort();
    let mut expected = vec![a.as_str(), b.as_str()];
    expected.sort();
    assert_eq!(attended, expected);

    // The programme list downloads as CSV too.
    let csv = hr.get_text("/v1/hr/programmes?format=csv");
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("kode,judul,bentuk,penyelenggara,mulai,selesai,menit,kursi,nilai_terkait,unit"));
    assert_eq!(
        lines.next(),
        Some(
            "prg-2026-07,Pelatihan Pelayanan Prima,Pelatihan,BPSDM Papua Barat,2026-07-06,2026-07-07,720,10,berorientasi_pelayanan,"
        )
    );
}
