//! Field conditions: the server behind an emulated 2G, EDGE or VSAT link
//! (`prestasi_e2e::fieldlink`) that is slow, far away and cuts exchanges.
//! A day's work converges over each profile; an upload cut in any phase
//! resumes without sending again what the server acknowledged; what HR
//! waits for goes first. Loopback only, bounded in time.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use chrono::NaiveDate;
use prestasi_core::model::{Appraisal, AppraisalStatus, BehaviourValue, DocId, SkpTarget, Training};
use prestasi_core::rules::development::DevelopmentForm;
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::sync::{SyncError, SyncReport};
use prestasi_e2e::fieldlink::{Cut, FieldLink, Profile};
use prestasi_e2e::{Device, Hr, MANOKWARI, World};

/// Text that does not compress: long notes are the bulk of a day's bytes.
fn prose(seed: u64, chars: usize) -> String {
    const WORDS: [&str; 12] =
        ["layanan", "warga", "berkas", "akta", "antrean", "loket", "arsip", "data", "kartu", "surat", "nomor", "unit"];
    let mut x = seed | 1;
    let mut out = String::new();
    while out.len() + 12 < chars {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push_str(WORDS[(x % 12) as usize]);
        out.push_str(&format!("{} ", x % 997));
    }
    out
}

/// Unit A's appraisal of staff member `i` for `period`, with about 12 KB of
/// notes; `submitted` ones complete.
fn appraisal(w: &World, i: usize, period: &str, submitted: bool) -> (DocId, Appraisal) {
    let p = &w.people;
    let staff = Nip::parse(&p.staff_a[i]).unwrap();
    let id = DocId::for_appraisal(&staff, period);
    let mut a = Appraisal::new(staff, period, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    a.notes = prose(id.as_bytes()[0] as u64 + 7, 3900);
    for (k, v) in [BehaviourValue::Kompeten, BehaviourValue::Adaptif].into_iter().enumerate() {
        a.behaviour_notes.insert(v, prose(k as u64 * 31 + i as u64, 3900));
    }
    if submitted {
        a.targets.push(SkpTarget::new("Laporan layanan", 4.0, "dokumen", true).unwrap());
        a.hasil_kerja = Some(Rating::SesuaiEkspektasi);
        a.perilaku = Some(Rating::SesuaiEkspektasi);
        a.status = AppraisalStatus::Submitted;
    }
    (id, a)
}

/// A tablet of unit A whose server is behind `link`.
fn tablet_behind(w: &World, link: &FieldLink) -> Device {
    let t = w.supervisor_a_at(&link.url);
    // Batches of about a second of the link: several per test, quickly. On
    // these far links each batch goes as a resumable upload whose first
    // part holds it all: two exchanges (open with the part, then process).
    t.client.set_batch_target(Duration::from_secs(1));
    t
}

/// Sync until it completes, as the background loop would (no waiting
/// here); every failure on the way must be "offline, retry".
fn sync_until_done(t: &Device) -> (SyncReport, usize) {
    for attempt in 1..=40 {
        match t.client.sync_now() {
            Ok(r) => return (r, attempt),
            Err(e) => assert!(e.is_retryable() && matches!(e, SyncError::Offline(_)), "attempt {attempt}: {e}"),
        }
    }
    panic!("no complete sync in 40 attempts");
}

fn on_server(hr: &Hr, period: &str) -> Vec<serde_json::Value> {
    hr.get(&format!("/v1/hr/appraisals?period={period}"))["appraisals"].as_array().unwrap().clone()
}

#[test]
fn a_days_work_converges_over_every_profile() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    for (k, profile) in Profile::ALL.into_iter().enumerate() {
        let link = FieldLink::start(&w.server.url, profile, 7 + k as u64);
        let t = tablet_behind(&w, &link);
        let period = ["2026-S1", "2026-S2", "2027-S1"][k];
        // The day: three appraisals, three later edits to each.
        let ids: Vec<DocId> = (0..3)
            .map(|i| {
                let (id, a) = appraisal(&w, i, period, false);
                t.store.create(id, &a, &t.author()).unwrap();
                id
            })
            .collect();
        for edit in 0..3 {
            for id in &ids {
                t.store
                    .update::<Appraisal>(*id, &t.author(), |a| {
                        a.notes = prose(edit * 100 + id.as_bytes()[1] as u64, 3900);
                        Ok(())
                    })
                    .unwrap();
            }
        }
        // Beside the profile's random cuts, the first attempt is cut for sure.
        link.plan(&[Some([Cut::MidAnswer(200), Cut::BeforeAnswer, Cut::MidRequest(1000)][k])]);
        let (report, attempts) = sync_until_done(&t);
        assert!(attempts >= 2, "{}: the first attempt was cut", profile.name);
        let stats = link.stats();
        eprintln!(
            "{}: {attempts} attempts, {} exchanges, {} cut, {report:?}",
            profile.name, stats.exchanges, stats.cuts
        );
        assert_eq!(t.store.unsynced_count().unwrap(), 0, "{}: everything acknowledged", profile.name);
        let rows = on_server(&hr, period);
        assert_eq!(rows.len(), 3, "{}: every appraisal on the server", profile.name);
        for id in &ids {
            let server = hr.get(&format!("/v1/hr/appraisals/{id}"));
            assert_eq!(server["value"], serde_json::to_value(t.store.get::<Appraisal>(*id).unwrap()).unwrap());
        }
        // Nothing left to send, nothing sent again.
        let again = t.client.sync_now().unwrap();
        assert_eq!((again.pushed, again.round_trips), (0, 1), "{}", profile.name);
    }
}

#[test]
fn an_upload_cut_in_any_phase_resumes_without_sending_the_acknowledged_again() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let cuts = [Cut::MidRequest(300), Cut::BeforeAnswer, Cut::MidAnswer(40)];
    for (k, cut) in cuts.into_iter().enumerate() {
        let link = FieldLink::start(&w.server.url, Profile::EDGE.without_cuts(), 1);
        let t = tablet_behind(&w, &link);
        let period = ["2026-S1", "2026-S2", "2027-S1"][k];
        // Measure the link first: one appraisal, synced whole.
        let (first, a) = appraisal(&w, 0, period, true);
        t.store.create(first, &a, &t.author()).unwrap();
        sync_until_done(&t);
        assert!(t.client.link_status().unwrap().bytes_per_sec.is_some(), "the link was measured");
        for i in 1..3 {
            let (id, a) = appraisal(&w, i, period, true);
            t.store.create(id, &a, &t.author()).unwrap();
        }
        let next_year = match period {
            "2026-S1" => "2028-S1",
            "2026-S2" => "2028-S2",
            _ => "2029-S1",
        };
        for i in 0..3 {
            let (id, a) = appraisal(&w, i, next_year, false);
            t.store.create(id, &a, &t.author()).unwrap();
        }
        assert_eq!(t.store.unsynced_count().unwrap(), 5);

        // The first batch goes through (its two exchanges); the second is cut.
        link.plan(&[None, None, Some(cut)]);
        let e = t.client.sync_now().unwrap_err();
        assert!(matches!(e, SyncError::Offline(_)), "{cut:?}: {e}");
        let left = t.store.unsynced_count().unwrap();
        assert!(left < 5, "{cut:?}: the first batch's acknowledgement is kept ({left} left)");
        let acknowledged = 5 - left as usize;
        let (r, _) = sync_until_done(&t);
        assert_eq!(r.pushed, left as usize, "{cut:?}: only what was not acknowledged is sent again");
        assert_eq!(t.store.unsynced_count().unwrap(), 0);
        assert_eq!(on_server(&hr, period).len(), 3, "{cut:?}");
        assert_eq!(on_server(&hr, next_year).len(), 3, "{cut:?}");
        eprintln!("{cut:?}: {acknowledged} acknowledged before the cut, {} sent after", r.pushed);
    }
}

#[test]
fn what_hr_waits_for_goes_first() {
    let w = World::start();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let link = FieldLink::start(&w.server.url, Profile::EDGE.without_cuts(), 3);
    let t = tablet_behind(&w, &link);
    let (probe, a) = appraisal(&w, 0, "2025-S1", true);
    t.store.create(probe, &a, &t.author()).unwrap();
    sync_until_done(&t);
    // Written in the worst order: training, then drafts, then submissions.
    for (i, nip) in w.people.staff_a.iter().enumerate() {
        let training = Training {
            employee_nip: Nip::parse(nip).unwrap(),
            form: DevelopmentForm::Pelatihan,
            title: prose(i as u64, 200),
            provider: "BPSDM Papua Barat".into(),
            start: NaiveDate::from_ymd_opt(2026, 7, 6).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 7, 7).unwrap(),
            minutes: 16 * 45,
            programme_id: None,
        };
        t.store.create(DocId::new(), &training, &t.author()).unwrap();
    }
    for i in 0..3 {
        let (id, a) = appraisal(&w, i, "2026-S2", false);
        t.store.create(id, &a, &t.author()).unwrap();
    }
    for i in 0..2 {
        let (id, a) = appraisal(&w, i, "2026-S1", true);
        t.store.create(id, &a, &t.author()).unwrap();
    }
    // The link drops after the first batch.
    link.plan(&[None, None, Some(Cut::MidRequest(0)), Some(Cut::MidRequest(0)), Some(Cut::MidRequest(0))]);
    assert!(t.client.sync_now().is_err());
    let submitted = on_server(&hr, "2026-S1");
    assert!(!submitted.is_empty(), "a submitted appraisal is on the server after the first batch");
    assert!(on_server(&hr, "2026-S2").is_empty(), "drafts wait behind the submissions");
    let (_, _) = sync_until_done(&t);
    assert_eq!(on_server(&hr, "2026-S1").len(), 2);
    assert_eq!(on_server(&hr, "2026-S2").len(), 3);
    assert_eq!(t.store.unsynced_count().unwrap(), 0);
}

#[test]
fn a_first_download_cut_midway_continues_where_it_was() {
    let w = World::start();
    // The unit's history, synced by another tablet over loopback.
    let other = w.supervisor_a();
    for period in ["2025-S1", "2025-S2", "2026-S1", "2026-S2"] {
        for i in 0..3 {
            let (id, a) = appraisal(&w, i, period, false);
            other.store.create(id, &a, &other.author()).unwrap();
        }
    }
    other.client.sync_now().unwrap();
    let wanted = other.store.all_documents().unwrap().len();

    // A tablet downloading it all on an uncut link, for the bytes it takes.
    let clean_link = FieldLink::start(&w.server.url, Profile::EDGE.without_cuts(), 11);
    let clean = tablet_behind(&w, &clean_link);
    sync_until_done(&clean);
    let clean_bytes = clean_link.stats().bytes_down;

    // A new tablet whose download is cut in its second page. Its first
    // request binds the enrolled person's key, so it goes as an upload (two
    // exchanges); the next push nothing and go plain (one exchange a page).
    let link = FieldLink::start(&w.server.url, Profile::EDGE.without_cuts(), 12);
    let t = tablet_behind(&w, &link);
    link.plan(&[None, None, Some(Cut::MidAnswer(3_000))]);
    assert!(t.client.sync_now().is_err(), "the download was cut");
    let before_resume = t.store.all_documents().unwrap().len();
    assert!(before_resume > 0, "the pages before the cut are kept");
    let (_, attempts) = sync_until_done(&t);
    assert_eq!(t.store.all_documents().unwrap().len(), wanted, "everything arrived");
    let bytes = link.stats().bytes_down;
    eprintln!("{before_resume} of {wanted} documents before the cut; {bytes} bytes down against {clean_bytes} uncut");
    assert!(attempts <= 2);
    // At most the page in flight (about a second of the link) came twice.
    assert!(bytes < clean_bytes + 40_000, "{bytes} bytes down against {clean_bytes} on an uncut link");
}
