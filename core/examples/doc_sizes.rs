//! Measures encoded document sizes behind the granularity choice recorded in
//! ARCHITECTURE.md: `cargo run --release -p prestasi-core --example doc_sizes`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use chrono::{Duration, TimeZone, Utc};
use prestasi_core::doc::Document;
use prestasi_core::model::{Appraisal, Author, BehaviourValue, Channel, DeviceId, DocId, Feedback, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::rules::skm::Scores;

const NOTE: &str = "Pegawai menyelesaikan verifikasi berkas kependudukan tepat waktu, aktif dalam rapat koordinasi, \
dan membantu rekan kerja memahami aplikasi layanan baru. Perlu meningkatkan ketelitian laporan bulanan unit.";

fn main() {
    let t0 = Utc.with_ymd_and_hms(2026, 9, 1, 8, 0, 0).unwrap();
    let boss = Nip::parse("198802182010062056").unwrap();
    let me = Author::new(boss.as_str(), DeviceId::random(), Role::Supervisor);
    let kiosk = Author::new("kios-1", DeviceId::random(), Role::Kiosk);

    // One appraisal: 5 targets, 7 behaviour ratings, ~200-char notes, then 3 edits.
    let staff = Nip::parse("199307082019031090").unwrap();
    let mut a = Appraisal::new(staff.clone(), "2026-Q3", "unit-0001", boss).unwrap();
    for i in 0..5 {
        let mut t =
            SkpTarget::new(&format!("Persentase layanan administrasi selesai {i}"), 20.0 + i as f64, "%", i < 3)
                .unwrap();
        t.realisation = Some(19.5 + i as f64);
        a.targets.push(t);
    }
    for v in BehaviourValue::ALL {
        a.behaviour.insert(v, Rating::SesuaiEkspektasi);
    }
    a.notes = NOTE.to_string();
    let mut doc = Document::create(DocId::for_appraisal(&staff, "2026-Q3"), &a, &me, t0).unwrap();
    let created = doc.save_incremental().len();
    let mut edits = 0;
    for (i, v) in [(4, 69.3), (3, 12.8)] {
        doc.edit(&me, t0 + Duration::hours(i), |x| {
            x.targets[i as usize].realisation = Some(v);
            Ok(())
        })
        .unwrap();
        edits += doc.save_incremental().len();
    }
    doc.edit(&me, t0 + Duration::hours(9), |x| {
        x.behaviour.insert(BehaviourValue::Akuntabel, Rating::DiAtasEkspektasi);
        Ok(())
    })
    .unwrap();
    edits += doc.save_incremental().len();
    let saved = doc.save().len();
    println!("appraisal: changes as written {created} B + 3 edits {edits} B = {} B raw", created + edits);
    println!("appraisal: full save (compressed columnar, all history) {saved} B");

    // Feedback: one document per submission vs one per kiosk-day.
    let fb = |i: u32| Feedback {
        unit_id: "unit-0001".into(),
        service: "Perekaman KTP-el".into(),
        scores: Scores::new([4, 3, 3, 4, 3, 4, 4, 3, (i % 4 + 1) as u8]).unwrap(),
        minutes_waited: 10 + i % 30,
        comment: "Petugas ramah, antrean tertib.".into(),
        channel: Channel::Kiosk,
        submitted_at: t0 + Duration::minutes(i as i64 * 7),
        officer_nip: None,
    };
    let per_doc: usize =
        (0..50).map(|i| Document::create(DocId::new(), &fb(i), &kiosk, t0).unwrap().save().len()).sum();
    println!("feedback: one document per submission, 50 submissions: {per_doc} B ({} B each)", per_doc / 50);

    let mut day = AutoCommit::new();
    let list = day.put_object(ROOT, "feedback", ObjType::List).unwrap();
    let mut day_incremental = 0;
    for i in 0..50 {
        let item = day.insert_object(&list, i as usize, ObjType::Map).unwrap();
        autosurgeon::reconcile_prop(&mut day, &item, "v", fb(i)).unwrap();
        day.commit();
        day_incremental += day.save_incremental().len();
    }
    println!(
        "feedback: one kiosk-day document, 50 submissions: save {} B ({} B each), synced as 50 changes {day_incremental} B ({} B each)",
        day.save().len(),
        day.save().len() / 50,
        day_incremental / 50
    );
}
