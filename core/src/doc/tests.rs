#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use automerge::transaction::Transactable;
use chrono::{TimeZone, Utc};

use super::*;
use crate::error::Reason;
use crate::model::{Appraisal, AppraisalStatus, BehaviourValue, DialogNote, Feedback, Role, SkpTarget};
use crate::rules::nip::Nip;
use crate::rules::predikat::Rating;

const STAFF: &str = "199307082019031090";
const BOSS: &str = "198802182010062056";
const REVIEWER: &str = "197507262005102812";

fn nip(s: &str) -> Nip {
    Nip::parse(s).unwrap()
}

fn supervisor() -> Author {
    Author::new(BOSS, DeviceId::random(), Role::Supervisor)
}

fn hr() -> Author {
    Author::new("hr:siti", DeviceId::random(), Role::Hr)
}

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 20, h, 0, 0).unwrap()
}

fn draft() -> Appraisal {
    let mut a = Appraisal::new(nip(STAFF), "2026-Q3", "unit-0001", nip(BOSS)).unwrap();
    a.reviewer_nip = Some(nip(REVIEWER));
    a.targets.push(SkpTarget { id: "t1".into(), ..SkpTarget::new("Layanan KTP-el", 100.0, "dokumen", true).unwrap() });
    a
}

fn new_doc(author: &Author) -> Document<Appraisal> {
    Document::create(DocId::for_appraisal(&nip(STAFF), "2026-Q3"), &draft(), author, at(8)).unwrap()
}

#[test]
fn edits_round_trip_through_save_and_load() {
    let me = supervisor();
    let mut doc = new_doc(&me);
    doc.edit(&me, at(9), |a| {
        a.behaviour.insert(BehaviourValue::Kompeten, Rating::DiAtasEkspektasi);
        a.target_mut("t1")?.realisation = Some(104.5);
        Ok(())
    })
    .unwrap();
    let loaded = Document::<Appraisal>::load(doc.id(), &doc.save()).unwrap();
    let v = loaded.value().unwrap();
    assert_eq!(v.behaviour[&BehaviourValue::Kompeten], Rating::DiAtasEkspektasi);
    assert_eq!(v.targets[0].realisation, Some(104.5));
    assert_eq!(loaded.schema_version(), 1);
}

#[test]
fn appraisals_started_offline_on_two_tablets_merge_into_one() {
    // Neither tablet has seen the other's copy: the shared genesis change
    // makes both add to the same targets list.
    let (a, b) = (supervisor(), supervisor());
    let mut on_a = new_doc(&a);
    let mut on_b = Document::create(on_a.id(), &draft(), &b, at(8)).unwrap();
    on_a.edit(&a, at(9), |x| {
        x.targets.push(SkpTarget { id: "ta".into(), ..SkpTarget::new("Arsip", 10.0, "berkas", false)? });
        Ok(())
    })
    .unwrap();
    on_b.edit(&b, at(9), |x| {
        x.targets.push(SkpTarget { id: "tb".into(), ..SkpTarget::new("Rapat", 4.0, "kali", false)? });
        Ok(())
    })
    .unwrap();
    on_a.merge(&mut on_b).unwrap();
    let ids: Vec<String> = on_a.value().unwrap().targets.into_iter().map(|t| t.id).collect();
    assert!(ids.contains(&"ta".to_string()) && ids.contains(&"tb".to_string()), "{ids:?}");
    // Both wrote identical identity fields and the same first target: not a conflict.
    assert_eq!(on_a.conflicts(), vec![]);
}

#[test]
fn concurrent_different_values_are_reported_with_author_device_and_time() {
    let (a, b) = (supervisor(), Author::new(BOSS, DeviceId::random(), Role::Supervisor));
    let mut on_a = new_doc(&a);
    let mut on_b = on_a.fork();
    on_a.edit(&a, at(10), |x| {
        x.hasil_kerja = Some(Rating::SesuaiEkspektasi);
        Ok(())
    })
    .unwrap();
    on_b.edit(&b, at(11), |x| {
        x.hasil_kerja = Some(Rating::DiAtasEkspektasi);
        x.notes = "Catatan dari tablet B".into();
        Ok(())
    })
    .unwrap();
    let mut ab = on_a.fork();
    ab.merge(&mut on_b).unwrap();
    on_b.merge(&mut on_a).unwrap();
    // Deterministic: both merge orders show the same value.
    assert_eq!(ab.value().unwrap(), on_b.value().unwrap());

    let conflicts = ab.conflicts();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!(c.path, "hasil_kerja");
    let mut seen: Vec<(String, String, i64)> = c
        .values
        .iter()
        .map(|v| (v.value.as_str().unwrap().to_string(), v.device.clone(), v.at.unwrap().timestamp()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("DiAtasEkspektasi".into(), b.device.actor_hex(), at(11).timestamp()),
            ("SesuaiEkspektasi".into(), a.device.actor_hex(), at(10).timestamp()),
        ]
    );
    assert!(c.values.iter().all(|v| v.user.as_deref() == Some(BOSS)));
    assert_eq!(c.values.iter().filter(|v| v.shown).count(), 1);
}

#[test]
fn a_resolved_conflict_stays_resolved_on_every_copy() {
    let (a, b, office) = (supervisor(), supervisor(), hr());
    let mut on_a = new_doc(&a);
    let mut on_b = on_a.fork();
    let mut at_hr = on_a.fork();
    on_a.edit(&a, at(10), |x| {
        x.target_mut("t1")?.realisation = Some(90.0);
        Ok(())
    })
    .unwrap();
    on_b.edit(&b, at(10), |x| {
        x.target_mut("t1")?.realisation = Some(95.0);
        Ok(())
    })
    .unwrap();
    at_hr.merge(&mut on_a).unwrap();
    at_hr.merge(&mut on_b).unwrap();
    let c = at_hr.conflicts().remove(0);
    assert_eq!(c.path, "targets/t1/realisation");
    let pick = c.values.iter().position(|v| v.value == 95.0).unwrap();
    let v = at_hr.resolve_conflict(&c.path, pick, &office, at(12)).unwrap();
    assert_eq!(v.targets[0].realisation, Some(95.0));
    assert!(at_hr.conflicts().is_empty());
    // The resolution reaches both tablets; neither sees the conflict again.
    on_a.merge(&mut at_hr).unwrap();
    on_b.merge(&mut at_hr).unwrap();
    on_a.merge(&mut on_b).unwrap();
    assert!(on_a.conflicts().is_empty() && on_b.conflicts().is_empty());
    assert_eq!(on_a.value().unwrap().targets[0].realisation, Some(95.0));
}

#[test]
fn resolving_an_unknown_conflict_is_an_error() {
    let me = supervisor();
    let mut doc = new_doc(&me);
    assert!(matches!(doc.resolve_conflict("notes", 0, &me, at(9)), Err(DocError::NoSuchConflict { .. })));
}

#[test]
fn notes_added_on_two_tablets_both_survive_without_conflict() {
    let (a, b) = (supervisor(), supervisor());
    let mut on_a = new_doc(&a);
    let mut on_b = on_a.fork();
    let note = |id: &str, text: &str| DialogNote {
        id: id.into(),
        date: at(9).date_naive(),
        author_nip: BOSS.into(),
        text: text.into(),
    };
    on_a.edit(&a, at(9), |x| {
        x.dialogues.push(note("n1", "Dialog pertama"));
        Ok(())
    })
    .unwrap();
    on_b.edit(&b, at(9), |x| {
        x.dialogues.push(note("n2", "Dialog kedua"));
        Ok(())
    })
    .unwrap();
    on_a.merge(&mut on_b).unwrap();
    assert_eq!(on_a.value().unwrap().dialogues.len(), 2);
    assert!(on_a.conflicts().is_empty());
}

#[test]
fn history_tells_who_changed_what_when_and_from_which_device() {
    let me = supervisor();
    let mut doc = new_doc(&me);
    doc.edit(&me, at(9), |a| {
        a.target_mut("t1")?.realisation = Some(80.0);
        Ok(())
    })
    .unwrap();
    let h = doc.history();
    assert_eq!(h.len(), 2, "creation and one edit (genesis hidden)");
    assert!(h.iter().all(|e| e.device == me.device.actor_hex() && e.user.as_deref() == Some(BOSS)));
    assert_eq!(h[1].at, Some(at(9)));
    assert_eq!(
        h[1].changes,
        vec![FieldChange { path: "targets/t1/realisation".into(), value: Some(serde_json::json!(80.0)) }]
    );
    assert!(h[0].changes.iter().any(|c| c.path == "employee_nip" && c.value == Some(STAFF.into())));
}

#[test]
fn refused_edits_write_nothing() {
    let me = supervisor();
    let mut doc = new_doc(&me);
    let heads = doc.heads();
    let err = doc
        .edit(&me, at(9), |a| {
            a.target_mut("t1")?.realisation = Some(-3.0);
            Ok(())
        })
        .unwrap_err();
    match err {
        DocError::Validation(e) => {
            assert_eq!(e.field, "targets[0].realisation");
            assert!(matches!(e.reason, Reason::Negative { .. }));
        }
        other => panic!("{other:?}"),
    }
    let stranger = Author::new("199001012015011001", DeviceId::random(), Role::Supervisor);
    assert!(
        doc.edit(&stranger, at(9), |a| {
            a.notes = "bukan penilai".into();
            Ok(())
        })
        .is_err()
    );
    assert!(doc.edit(&me, at(9), |a| a.target_mut("missing").map(|_| ())).is_err());
    assert_eq!(doc.heads(), heads);
}

#[test]
fn status_lifecycle_and_lock() {
    let me = supervisor();
    let reviewer = Author::new(REVIEWER, DeviceId::random(), Role::Supervisor);
    let office = hr();
    let mut doc = new_doc(&me);
    let submit = |a: &mut Appraisal| {
        a.status = AppraisalStatus::Submitted;
        Ok(())
    };
    // Incomplete: overall ratings missing.
    assert!(doc.edit(&me, at(9), submit).is_err());
    doc.edit(&me, at(9), |a| {
        a.hasil_kerja = Some(Rating::DiAtasEkspektasi);
        a.perilaku = Some(Rating::DiAtasEkspektasi);
        Ok(())
    })
    .unwrap();
    doc.edit(&me, at(9), submit).unwrap();
    // The appraiser cannot review their own submission; the reviewer can.
    let review = |a: &mut Appraisal| {
        a.status = AppraisalStatus::Reviewed;
        Ok(())
    };
    assert!(doc.edit(&me, at(10), review).is_err());
    doc.edit(&reviewer, at(10), review).unwrap();
    let lock = |a: &mut Appraisal| {
        a.status = AppraisalStatus::Locked;
        Ok(())
    };
    assert!(doc.edit(&reviewer, at(11), lock).is_err());
    doc.edit(&office, at(11), lock).unwrap();
    // Locked: no edits, not even by HR, unless HR reopens it.
    let edit_notes = |a: &mut Appraisal| {
        a.notes = "ubah".into();
        Ok(())
    };
    assert!(doc.edit(&me, at(12), edit_notes).is_err());
    assert!(doc.edit(&office, at(12), edit_notes).is_err());
    // HR may skip steps (a sync carries only the end state).
    let mut other = new_doc(&me);
    other
        .edit(&me, at(9), |a| {
            a.hasil_kerja = Some(Rating::SesuaiEkspektasi);
            a.perilaku = Some(Rating::SesuaiEkspektasi);
            a.status = AppraisalStatus::Submitted;
            Ok(())
        })
        .unwrap();
    other.edit(&office, at(10), lock).unwrap();
    assert!(
        doc.edit(&me, at(12), |a| {
            a.status = AppraisalStatus::Draft;
            Ok(())
        })
        .is_err()
    );
    doc.edit(&office, at(12), |a| {
        a.status = AppraisalStatus::Draft;
        Ok(())
    })
    .unwrap();
    doc.edit(&me, at(13), edit_notes).unwrap();
    assert_eq!(doc.value().unwrap().predikat(), Some(crate::rules::predikat::Predikat::SangatBaik));
}

#[test]
fn feedback_is_never_edited_and_kiosks_write_nothing_else() {
    let kiosk = Author::new("kios-dukcapil-1", DeviceId::random(), Role::Kiosk);
    let fb = Feedback {
        unit_id: "unit-0001".into(),
        service: "Perekaman KTP-el".into(),
        scores: crate::rules::skm::Scores::new([4, 3, 3, 4, 3, 4, 4, 3, 3]).unwrap(),
        minutes_waited: 25,
        comment: String::new(),
        channel: crate::model::Channel::Kiosk,
        submitted_at: at(9),
        officer_nip: None,
    };
    let mut doc = Document::create(DocId::new(), &fb, &kiosk, at(9)).unwrap();
    assert!(
        doc.edit(&kiosk, at(10), |f| {
            f.comment = "ubah".into();
            Ok(())
        })
        .is_err()
    );
    assert!(Document::create(DocId::new(), &draft(), &kiosk, at(9)).is_err());
}

#[test]
fn a_newer_schema_field_survives_an_edit_by_an_older_app() {
    let me = supervisor();
    let mut doc = new_doc(&me);
    // A v2 app added a field this build does not know.
    let am = doc.automerge();
    am.put(automerge::ROOT, "_schema", 2_u64).unwrap();
    am.put(automerge::ROOT, "bobot_kinerja", 0.7).unwrap();
    am.commit();
    doc.edit(&me, at(9), |a| {
        a.notes = "diubah oleh aplikasi v1".into();
        Ok(())
    })
    .unwrap();
    let reloaded = Document::<Appraisal>::load(doc.id(), &doc.save()).unwrap();
    assert_eq!(reloaded.schema_version(), 2);
    let kept = reloaded.am.get(automerge::ROOT, "bobot_kinerja").unwrap();
    assert!(matches!(kept, Some((Value::Scalar(s), _)) if s.as_f64() == Some(0.7)));
}

#[test]
fn malformed_and_mismatched_bytes_are_typed_errors() {
    let id = DocId::new();
    assert!(matches!(Document::<Appraisal>::load(id, b"not automerge"), Err(DocError::Malformed(_))));
    assert!(matches!(Document::<Appraisal>::load(id, &[]), Err(DocError::WrongKind { .. })));
    let me = supervisor();
    let mut doc = new_doc(&me);
    let bytes = doc.save();
    assert!(matches!(Document::<Feedback>::load(id, &bytes), Err(DocError::WrongKind { .. })));
    assert!(matches!(kind_of(&bytes), Ok(DocKind::Appraisal)));
    // Truncated: every prefix is either refused or loads without panicking.
    for cut in [1, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let _ = Document::<Appraisal>::load(id, &bytes[..cut]);
    }
}

#[test]
fn an_unrelated_edit_keeps_an_open_conflict() {
    let (a, b) = (supervisor(), Author::new(BOSS, DeviceId::random(), Role::Supervisor));
    let mut on_a = new_doc(&a);
    let mut on_b = on_a.fork();
    for (doc, who, rating) in [(&mut on_a, &a, Rating::SesuaiEkspektasi), (&mut on_b, &b, Rating::DiAtasEkspektasi)] {
        doc.edit(who, at(10), |x| {
            x.hasil_kerja = Some(rating);
            Ok(())
        })
        .unwrap();
    }
    on_a.merge(&mut on_b).unwrap();
    assert_eq!(on_a.conflicts().len(), 1);
    // Someone edits another field: the conflict on hasil_kerja stays open.
    on_a.edit(&a, at(12), |x| {
        x.notes = "catatan lain".into();
        Ok(())
    })
    .unwrap();
    assert_eq!(on_a.conflicts().len(), 1, "an edit of other fields must not settle a conflict");
    // Choosing a value for the field itself does settle it.
    on_a.edit(&a, at(13), |x| {
        x.hasil_kerja = Some(Rating::DiBawahEkspektasi);
        Ok(())
    })
    .unwrap();
    assert!(on_a.conflicts().is_empty());
}

/// Golden: the shared genesis of an appraisal, byte for byte, pinned to a
/// hash. A change of kind name, containers, their order or `_schema` of the
/// genesis would split every device's copies from the server's.
#[test]
fn the_shared_genesis_is_frozen() {
    let id: DocId = "6f1c2b9a-0d4e-5a7b-8c3d-2e1f0a9b8c7d".parse().unwrap();
    let hash = crate::doc::genesis_hash::<Appraisal>(id).unwrap();
    assert_eq!(hash.to_string(), GOLDEN_APPRAISAL_GENESIS, "the genesis changed");
    // Whatever the build's schema, the genesis records schema 1.
    assert_eq!(crate::doc::GENESIS_SCHEMA, 1);
}

const GOLDEN_APPRAISAL_GENESIS: &str = "b63c528df213346a14fe8a445e77b25fb6de2ef657d1fe5ccd62e53a5a416d19";
