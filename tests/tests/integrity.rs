//! Trust: what a supervisor with a modified app can try through ordinary
//! sync requests, each refused with its typed reason, leaving the merged
//! view and HR's reports (TPP, recognition, completion) exactly as they were.
//! Then the signatures themselves: forged, truncated, replayed onto another
//! document, another device's key, a revoked key, and the honest path of a
//! reviewer signing in offline whose key is bound later.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use chrono::Utc;
use prestasi_core::doc::{DocKind, Document};
use prestasi_core::model::{Appraisal, AppraisalStatus, Author, DocId, Feedback, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::signing::audit::{AuditBundle, Verdict, verify_bundle};
use prestasi_core::store::{SignerStatus, SyncState};
use prestasi_core::sync::protocol::{ByteBuf, ChangeSig, PushOutcome, RejectCode};
use prestasi_e2e::{Device, Hr, MANOKWARI, World, nip, push_raw, push_signed};
use serde_json::{Value, json};

const PERIOD: &str = "2026-S1";

/// Unit A's head gets a superior (in a unit of their own), who reviews
/// unit A's appraisals.
fn reviewer(w: &World) -> String {
    let p = &w.people;
    let r = nip(150);
    let csv = format!(
        "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;GOLONGAN;NIP_ATASAN\n\
         {r};Kepala Dinas;{t}-sekretariat;Sekretariat;{t};Pemerintah {t};administrator;Kepala;IV/a;\n\
         {b};Kepala A;{ua};Unit {ua};{t};Pemerintah {t};pengawas;Staf;III/a;{r}\n",
        t = MANOKWARI,
        b = p.boss_a,
        ua = p.unit_a
    );
    let server = prestasi_server::state::server_identity(w.server.storage.as_ref()).unwrap();
    let report =
        prestasi_server::admin::import_employees(w.server.storage.as_ref(), &server, MANOKWARI, csv.as_bytes())
            .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    r
}

/// A submitted appraisal of `staff`, written and synced by unit A's tablet.
fn submitted(w: &World, tablet: &Device, staff: &str, reviewer: Option<&str>) -> DocId {
    let p = &w.people;
    let staff = Nip::parse(staff).unwrap();
    let id = DocId::for_appraisal(&staff, PERIOD);
    let mut a = Appraisal::new(staff, PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    a.reviewer_nip = reviewer.map(|r| Nip::parse(r).unwrap());
    a.targets.push(SkpTarget::new("Laporan layanan", 4.0, "dokumen", true).unwrap());
    a.hasil_kerja = Some(Rating::SesuaiEkspektasi);
    a.perilaku = Some(Rating::SesuaiEkspektasi);
    a.status = AppraisalStatus::Submitted;
    tablet.store.create(id, &a, &tablet.author()).unwrap();
    let r = tablet.client.sync_now().unwrap();
    assert_eq!((r.accepted, r.rejected), (1, 0), "{:?}", tablet.store.status(id));
    id
}

/// A draft of unit A's staff member `i` for the period, by unit A's head.
fn draft(p: &prestasi_e2e::People, i: usize) -> (DocId, Appraisal) {
    let staff = Nip::parse(&p.staff_a[i]).unwrap();
    let id = DocId::for_appraisal(&staff, PERIOD);
    (id, Appraisal::new(staff, PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap())
}

/// Everything HR decides from: the merged appraisals, TPP, recognition and
/// completion of the period.
fn reports(hr: &Hr) -> Value {
    let q = format!("period={PERIOD}");
    json!({
        "appraisals": hr.get(&format!("/v1/hr/appraisals?{q}")),
        "tpp": hr.get(&format!("/v1/hr/reports/allowances?{q}")),
        "recognition": hr.get(&format!("/v1/hr/reports/recognition?{q}")),
        "completion": hr.get(&format!("/v1/hr/reports/completion?{q}")),
    })
}

fn refused(outcome: PushOutcome, code: RejectCode) {
    match outcome {
        PushOutcome::Rejected(r) => assert_eq!(r.code, code, "{r:?}"),
        other => panic!("accepted, expected {code:?}: {other:?}"),
    }
}

/// A whole appraisal document built with automerge alone, as a modified
/// app would: none of the core's checks (derived id, roster) apply.
fn without_core_checks(tablet: &Device, value: &Appraisal) -> Vec<u8> {
    use automerge::transaction::{CommitOptions, Transactable};
    let actor = automerge::ActorId::from(tablet.store.device_id().as_bytes().as_slice());
    let mut am = automerge::AutoCommit::new().with_actor(actor);
    am.put(automerge::ROOT, "_kind", "appraisal").unwrap();
    am.put(automerge::ROOT, "_schema", 1_u64).unwrap();
    autosurgeon::reconcile(&mut am, value).unwrap();
    let user = tablet.client.credentials().user.clone();
    am.commit_with(CommitOptions::default().with_message(user).with_time(Utc::now().timestamp_millis()));
    am.save()
}

/// The document of `id` on `tablet`, edited by `as_person` in a way the
/// tablet's own checks allow for that person: what a modified app builds.
fn forged_edit(tablet: &Device, id: DocId, as_person: &str, edit: impl FnOnce(&mut Appraisal)) -> Vec<u8> {
    let mut doc = Document::<Appraisal>::load(id, &tablet.store.export(id).unwrap()).unwrap();
    let author = Author { user: as_person.to_string(), role: Role::Hr, ..tablet.author() };
    doc.edit(&author, Utc::now(), |a| {
        edit(a);
        Ok(())
    })
    .unwrap();
    doc.save()
}

#[test]
fn attack_1_the_appraisers_tablet_cannot_review_in_the_reviewers_name() {
    let w = World::start();
    let r = reviewer(&w);
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let id = submitted(&w, &sup, &w.people.staff_a[0], Some(&r));
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let before = reports(&hr);

    // The change names the reviewer; the appraiser's own key signs it.
    let bytes = forged_edit(&sup, id, &r, |a| a.status = AppraisalStatus::Reviewed);
    refused(push_raw(&sup, id, DocKind::Appraisal, bytes.clone()), RejectCode::ForeignAuthor);
    // No signature at all.
    refused(push_signed(&sup, id, DocKind::Appraisal, bytes.clone(), vec![]), RejectCode::Unsigned);
    // A key the tablet made for the reviewer without BKPSDM's person code
    // is never bound: pending, then refused with a made-up code.
    sup.store.sign_in(&r, "111111", None).unwrap();
    let own_key = sup.store.sign_bytes(&r, id, &bytes).unwrap();
    refused(push_signed(&sup, id, DocKind::Appraisal, bytes.clone(), own_key.clone()), RejectCode::UnknownSigner);
    sup.store.sign_in(&r, "111111", Some("AAAA-BBBB-CCCC")).unwrap();
    refused(push_signed(&sup, id, DocKind::Appraisal, bytes, own_key), RejectCode::UnknownSigner);
    sup.client.sync_now().unwrap();
    assert_eq!(sup.store.signer(&r).unwrap().unwrap().status, SignerStatus::Pending);
    assert!(sup.store.signer(&r).unwrap().unwrap().message.unwrap().contains("Kode verifikasi"));

    assert_eq!(reports(&hr), before, "nothing of the forgery reached HR");
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(detail["appraisal"]["status"], "submitted");
}

#[test]
fn attack_2_a_shadow_appraisal_under_a_random_id_is_refused() {
    let w = World::start();
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let staff = &w.people.staff_a[0];
    let id = submitted(&w, &sup, staff, None);
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let (status, body) = hr.send("POST", &format!("/v1/hr/appraisals/{id}/lock"), json!({}));
    assert_eq!(status, 200, "{body}");
    let before = reports(&hr);

    // The same employee and period, a better result, a random id.
    let mut shadow = sup.store.get::<Appraisal>(id).unwrap();
    shadow.hasil_kerja = Some(Rating::DiAtasEkspektasi);
    shadow.perilaku = Some(Rating::DiAtasEkspektasi);
    shadow.status = AppraisalStatus::Submitted;
    let shadow_id = DocId::new();
    let bytes = without_core_checks(&sup, &shadow);
    refused(push_raw(&sup, shadow_id, DocKind::Appraisal, bytes), RejectCode::InvalidId);
    // Through the tablet's own store it is refused before anything is written.
    assert!(sup.store.create(shadow_id, &shadow, &sup.author()).is_err());

    let after = reports(&hr);
    assert_eq!(after, before, "TPP, recognition and completion unchanged");
    let rows = after["appraisals"]["appraisals"].as_array().unwrap();
    assert_eq!(rows.iter().filter(|r| r["employee_nip"] == staff.as_str()).count(), 1, "one appraisal per period");
}

#[test]
fn attack_3_the_appraiser_cannot_rewrite_who_appraises_and_reviews() {
    let w = World::start();
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let p = &w.people;
    // A draft the appraiser may still edit.
    let staff = Nip::parse(&p.staff_a[1]).unwrap();
    let id = DocId::for_appraisal(&staff, PERIOD);
    let a = Appraisal::new(staff.clone(), PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    sup.store.create(id, &a, &sup.author()).unwrap();
    sup.client.sync_now().unwrap();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let before = reports(&hr);

    // A colleague becomes appraiser and the appraiser the reviewer.
    let boss = p.boss_a.clone();
    let colleague = Nip::parse(&p.staff_a[2]).unwrap();
    let bytes = forged_edit(&sup, id, &boss, |a| {
        a.appraiser_nip = colleague.clone();
        a.reviewer_nip = Some(Nip::parse(&p.boss_a).unwrap());
    });
    match push_raw(&sup, id, DocKind::Appraisal, bytes) {
        PushOutcome::Rejected(r) => {
            assert_eq!((r.code, r.field.as_deref()), (RejectCode::Forbidden, Some("appraiser_nip")), "{r:?}")
        }
        other => panic!("{other:?}"),
    }
    // Only the reviewer changes: refused too.
    let bytes = forged_edit(&sup, id, &boss, |a| a.reviewer_nip = Some(colleague.clone()));
    match push_raw(&sup, id, DocKind::Appraisal, bytes) {
        PushOutcome::Rejected(r) => {
            assert_eq!((r.code, r.field.as_deref()), (RejectCode::Forbidden, Some("reviewer_nip")), "{r:?}")
        }
        other => panic!("{other:?}"),
    }
    // A new appraisal naming someone the roster does not: refused.
    let other_staff = Nip::parse(&p.staff_a[2]).unwrap();
    let other_id = DocId::for_appraisal(&other_staff, PERIOD);
    let mut b = Appraisal::new(other_staff, PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    b.reviewer_nip = Some(Nip::parse(&p.staff_a[0]).unwrap());
    let bytes = prestasi_e2e::craft_as_self(&sup, other_id, &b);
    refused(push_raw(&sup, other_id, DocKind::Appraisal, bytes), RejectCode::Forbidden);
    // Nobody reviews their own appraisal, not even by HR's hand.
    let mut own = a.clone();
    own.reviewer_nip = Some(staff);
    assert!(own.validate().is_err());

    assert_eq!(reports(&hr), before);
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(detail["value"]["appraiser_nip"], p.boss_a.as_str());
    assert_eq!(detail["value"]["reviewer_nip"], Value::Null);
}

#[test]
fn attack_4_an_appraisal_cannot_be_moved_to_another_unit() {
    let w = World::start();
    let sup = w.device(MANOKWARI, Role::Supervisor, &w.people.boss_a, &[&w.people.unit_a, &w.people.unit_b]);
    sup.client.sync_now().unwrap();
    let staff = w.people.staff_a[0].clone();
    let p = &w.people;
    let nip = Nip::parse(&staff).unwrap();
    let id = DocId::for_appraisal(&nip, PERIOD);
    let a = Appraisal::new(nip, PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    sup.store.create(id, &a, &sup.author()).unwrap();
    sup.client.sync_now().unwrap();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let before = reports(&hr);

    // Even to a unit the tablet also serves.
    let bytes = forged_edit(&sup, id, &p.boss_a, |a| a.unit_id = p.unit_b.clone());
    match push_raw(&sup, id, DocKind::Appraisal, bytes) {
        PushOutcome::Rejected(r) => {
            assert_eq!((r.code, r.field.as_deref()), (RejectCode::Forbidden, Some("unit_id")), "{r:?}")
        }
        other => panic!("{other:?}"),
    }
    // A new appraisal filed under another unit than the employee's.
    let other = Nip::parse(&p.staff_a[1]).unwrap();
    let other_id = DocId::for_appraisal(&other, PERIOD);
    let b = Appraisal::new(other, PERIOD, &p.unit_b, Nip::parse(&p.boss_a).unwrap()).unwrap();
    match push_raw(&sup, other_id, DocKind::Appraisal, prestasi_e2e::craft_as_self(&sup, other_id, &b)) {
        PushOutcome::Rejected(r) => {
            assert_eq!((r.code, r.field.as_deref()), (RejectCode::Forbidden, Some("unit_id")), "{r:?}")
        }
        other => panic!("{other:?}"),
    }

    assert_eq!(reports(&hr), before);
    assert_eq!(hr.get(&format!("/v1/hr/appraisals/{id}"))["value"]["unit_id"], p.unit_a.as_str());
}

#[test]
fn forged_truncated_replayed_and_foreign_signatures_are_refused() {
    let w = World::start();
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let p = &w.people;
    let (id, a) = draft(p, 0);
    let bytes = prestasi_e2e::craft_as_self(&sup, id, &a);
    let good = sup.sign(id, &bytes);
    assert_eq!(good.len(), 1);
    let with = |f: &dyn Fn(&mut ChangeSig)| {
        let mut s = good.clone();
        f(&mut s[0]);
        s
    };
    let forged = with(&|s| s.sig = ByteBuf::from(vec![0x42; 64]));
    refused(push_signed(&sup, id, DocKind::Appraisal, bytes.clone(), forged), RejectCode::BadSignature);
    let truncated = with(&|s| s.sig = ByteBuf::from(s.sig[..40].to_vec()));
    refused(push_signed(&sup, id, DocKind::Appraisal, bytes.clone(), truncated), RejectCode::BadSignature);
    let flipped = with(&|s| s.sig[7] ^= 0x01);
    refused(push_signed(&sup, id, DocKind::Appraisal, bytes.clone(), flipped), RejectCode::BadSignature);

    // Another tablet of the same person signs with a key bound to the
    // first tablet (copied off it): not this device's key.
    let second = w.supervisor_a();
    second.client.sync_now().unwrap();
    let bytes2 = prestasi_e2e::craft_as_self(&second, id, &a);
    let stolen = prestasi_core::signing::PersonKey::generate().unwrap();
    w.server
        .storage
        .insert_signer(&prestasi_server::storage::SignerRow {
            public_key: stolen.public().to_vec(),
            tenant_id: MANOKWARI.into(),
            person: p.boss_a.clone(),
            device_id: sup.client.credentials().device_id.clone(),
            server: false,
            bound_at: 0,
            revoked_at: None,
            revoked_reason: None,
        })
        .unwrap();
    let with_stolen: Vec<ChangeSig> = second
        .sign(id, &bytes2)
        .into_iter()
        .map(|s| {
            let hash = automerge::ChangeHash(s.hash.as_slice().try_into().unwrap());
            ChangeSig {
                key: ByteBuf::from(stolen.public().to_vec()),
                sig: ByteBuf::from(stolen.sign_change(id, &hash).to_vec()),
                hash: s.hash,
            }
        })
        .collect();
    refused(push_signed(&second, id, DocKind::Appraisal, bytes2, with_stolen), RejectCode::UnknownSigner);

    // A kiosk's signed feedback replayed under another document id: the
    // signature covers the id, so it does not hold there.
    let kiosk = w.device(MANOKWARI, Role::Kiosk, "kios-a", &[&p.unit_a]);
    let fid = DocId::new();
    let f = Feedback {
        unit_id: p.unit_a.clone(),
        service: "KTP-el".into(),
        scores: prestasi_core::rules::skm::Scores::new([4; 9]).unwrap(),
        minutes_waited: 3,
        comment: String::new(),
        channel: prestasi_core::model::Channel::Kiosk,
        submitted_at: Utc::now(),
        officer_nip: None,
    };
    let fbytes = prestasi_e2e::craft_as_self(&kiosk, fid, &f);
    let fsigs = kiosk.sign(fid, &fbytes);
    let elsewhere = DocId::new();
    refused(push_signed(&kiosk, elsewhere, DocKind::Feedback, fbytes.clone(), fsigs.clone()), RejectCode::BadSignature);
    assert!(matches!(push_signed(&kiosk, fid, DocKind::Feedback, fbytes, fsigs), PushOutcome::Accepted { .. }));

    // The honest push is accepted, and nothing refused was stored.
    assert!(matches!(push_signed(&sup, id, DocKind::Appraisal, bytes, good), PushOutcome::Accepted { .. }));
    let hr = Hr::login(&w.server.url, MANOKWARI);
    assert_eq!(hr.get("/v1/hr/feedback/count")["count"], 1);
    let history = hr.get(&format!("/v1/hr/appraisals/{id}"))["history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 1, "{history}");
    assert_eq!(history[0]["signature"]["verdict"], "verified");
    assert_eq!(history[0]["signature"]["person"], p.boss_a.as_str());
}

#[test]
fn a_revoked_key_is_refused_from_the_next_sync_and_the_tablet_is_told() {
    let w = World::start();
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let p = &w.people;
    let id = submitted(&w, &sup, &p.staff_a[0], None);
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let (status, body) = hr.send(
        "POST",
        &format!("/v1/hr/people/{}/revoke-keys", p.boss_a),
        json!({"reason": "PIN diketahui orang lain"}),
    );
    assert_eq!((status, body["revoked"].as_u64()), (200, Some(1)), "{body}");
    let before = reports(&hr);

    // Written offline after the revocation, with the (revoked) key.
    sup.store
        .update::<Appraisal>(id, &sup.author(), |a| {
            a.status = AppraisalStatus::Draft;
            Ok(())
        })
        .unwrap();
    let r = sup.client.sync_now().unwrap();
    assert_eq!((r.accepted, r.rejected), (0, 1));
    assert!(
        matches!(sup.store.status(id).unwrap().sync, SyncState::Rejected { ref code, .. } if code == "revoked_signer")
    );
    let me = sup.store.signer(&p.boss_a).unwrap().unwrap();
    assert_eq!(me.status, SignerStatus::Revoked);
    assert!(me.message.unwrap().contains("PIN diketahui orang lain"));
    assert_eq!(reports(&hr), before);

    // A new key with a new person code from BKPSDM works again.
    let code =
        hr.send("POST", &format!("/v1/hr/people/{}/code", p.boss_a), json!({})).1["code"].as_str().unwrap().to_string();
    let again = sup.store.sign_in(&p.boss_a, "777777", Some(&code)).unwrap();
    assert_ne!(again.public_key, me.public_key);
    sup.store.discard_local_changes(id).unwrap();
    sup.client.sync_now().unwrap();
    let other = submitted(&w, &sup, &p.staff_a[1], None);
    assert_eq!(sup.store.status(other).unwrap().sync, SyncState::OnServer);
    assert_eq!(sup.store.signer(&p.boss_a).unwrap().unwrap().status, SignerStatus::Bound);
}

#[test]
fn a_reviewer_signs_in_offline_and_is_verified_once_their_code_reaches_the_server() {
    let w = World::start();
    let r = reviewer(&w);
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let id = submitted(&w, &sup, &w.people.staff_a[0], Some(&r));

    // Offline, on the appraiser's tablet: the reviewer signs in with a PIN
    // but has no person code yet; the review waits on the tablet.
    sup.store.sign_in(&r, "135790", None).unwrap();
    let as_reviewer = Author { user: r.clone(), ..sup.author() };
    sup.store
        .update::<Appraisal>(id, &as_reviewer, |a| {
            a.status = AppraisalStatus::Reviewed;
            Ok(())
        })
        .unwrap();
    assert_eq!(sup.store.status(id).unwrap().sync, SyncState::AwaitingVerification);
    let report = sup.client.sync_now().unwrap();
    assert_eq!(report.pushed, 0, "held back until the reviewer's key can be bound");
    let hr = Hr::login(&w.server.url, MANOKWARI);
    assert_eq!(hr.get(&format!("/v1/hr/appraisals/{id}"))["appraisal"]["status"], "submitted");

    // BKPSDM gives the reviewer a person code; signed in with it, the next
    // sync binds the key and the review is accepted, verified.
    let (status, body) = hr.send("POST", &format!("/v1/hr/people/{r}/code"), json!({}));
    assert_eq!(status, 200, "{body}");
    sup.store.sign_in(&r, "135790", body["code"].as_str()).unwrap();
    let report = sup.client.sync_now().unwrap();
    assert_eq!((report.accepted, report.rejected), (1, 0), "{:?}", sup.store.status(id));
    assert_eq!(sup.store.signer(&r).unwrap().unwrap().status, SignerStatus::Bound);
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(detail["appraisal"]["status"], "reviewed");
    let history = detail["history"].as_array().unwrap();
    let signers: Vec<(&str, &str)> = history
        .iter()
        .map(|h| (h["signature"]["verdict"].as_str().unwrap(), h["signature"]["person"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(signers, [("verified", w.people.boss_a.as_str()), ("verified", r.as_str())], "{detail}");
    assert!(history[1]["signature_label"].as_str().unwrap().contains("terverifikasi"));
    // The code is single use: another tablet cannot bind a key with it.
    let t2 = w.supervisor_a();
    t2.store.sign_in(&r, "135790", body["code"].as_str()).unwrap();
    t2.client.sync_now().unwrap();
    assert_eq!(t2.store.signer(&r).unwrap().unwrap().status, SignerStatus::Pending);
}

#[test]
fn hr_actions_are_signed_by_the_server_and_an_auditor_reverifies_offline() {
    let w = World::start();
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let id = submitted(&w, &sup, &w.people.staff_a[0], None);
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let (status, body) = hr.send("POST", &format!("/v1/hr/appraisals/{id}/lock"), json!({}));
    assert_eq!(status, 200, "{body}");
    let history = hr.get(&format!("/v1/hr/appraisals/{id}"))["history"].clone();
    let last = &history[history.as_array().unwrap().len() - 1];
    assert_eq!(last["signature"]["verdict"], "verified", "{history}");
    assert_eq!(last["signature"]["by_server"], true);
    assert_eq!(last["signature"]["person"], "hr");

    // The audit bundle verifies with no server: every change verified...
    let bundle: AuditBundle = serde_json::from_value(hr.get(&format!("/v1/hr/appraisals/{id}/audit"))).unwrap();
    let lines = verify_bundle(&bundle).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.verdict.is_verified()), "{lines:?}");
    // ...and a tampered signature, or a key claimed for someone else, shows.
    let mut tampered = bundle.clone();
    let s = &mut tampered.signatures[0].sig;
    s.replace_range(0..2, if s.starts_with("00") { "11" } else { "00" });
    assert!(verify_bundle(&tampered).unwrap().iter().any(|l| matches!(l.verdict, Verdict::Invalid { .. })));
    let mut claimed = bundle.clone();
    for k in claimed.signers.iter_mut().filter(|k| !k.server) {
        k.person = w.people.staff_a[2].clone();
    }
    assert!(verify_bundle(&claimed).unwrap().iter().any(|l| matches!(l.verdict, Verdict::Invalid { .. })));
}

#[test]
fn changes_stored_before_signatures_are_shown_as_unsigned_not_lost() {
    let w = World::start();
    let p = &w.people;
    // A document as a database from before signatures holds it: its chunk
    // stored without any signature row.
    let (id, a) = draft(p, 0);
    let old_tablet = Author::new(p.boss_a.clone(), prestasi_core::model::DeviceId::random(), Role::Supervisor);
    let mut doc = Document::create(id, &a, &old_tablet, Utc::now()).unwrap();
    let write = prestasi_server::storage::DocWrite {
        tenant: MANOKWARI.into(),
        id,
        kind: DocKind::Appraisal,
        chunk: doc.save(),
        compacted: None,
        heads: doc.heads(),
        origin: old_tablet.device.to_string(),
        received_at: 0,
        projection: prestasi_server::sync::projection(id, &prestasi_server::storage::Record::Appraisal(a), vec![]),
        sigs: vec![],
    };
    w.server.storage.write(&mut |tx| tx.append(&write).map(|_| ())).unwrap();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let history = hr.get(&format!("/v1/hr/appraisals/{id}"))["history"].clone();
    assert_eq!(history[0]["signature"]["verdict"], "unsigned", "{history}");
    assert!(history[0]["signature_label"].as_str().unwrap().starts_with("tanpa tanda tangan"));
    // HR's later change on it is signed; the old one stays, shown honestly.
    let (status, body) = hr.send("POST", &format!("/v1/hr/appraisals/{id}/lock"), json!({}));
    assert_eq!(status, 200, "{body}");
    let bundle = serde_json::from_value(hr.get(&format!("/v1/hr/appraisals/{id}/audit"))).unwrap();
    let lines = verify_bundle(&bundle).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].verdict, Verdict::Unsigned);
    assert!(matches!(&lines[1].verdict, Verdict::Verified { by_server: true, person, .. } if person == "hr"));
}

#[test]
fn appraiser_and_reviewer_on_one_tablet_offline_are_two_signed_steps_in_one_sync() {
    let w = World::start();
    let r = reviewer(&w);
    let p = &w.people;
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let code = hr.send("POST", &format!("/v1/hr/people/{r}/code"), json!({})).1["code"].as_str().unwrap().to_string();

    // Offline: the appraiser writes and submits, then the reviewer signs
    // in on the same tablet and reviews.
    let staff = Nip::parse(&p.staff_a[0]).unwrap();
    let id = DocId::for_appraisal(&staff, PERIOD);
    let mut a = Appraisal::new(staff, PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    a.reviewer_nip = Some(Nip::parse(&r).unwrap());
    a.targets.push(SkpTarget::new("Laporan layanan", 4.0, "dokumen", true).unwrap());
    a.hasil_kerja = Some(Rating::DiAtasEkspektasi);
    a.perilaku = Some(Rating::SesuaiEkspektasi);
    a.status = AppraisalStatus::Submitted;
    sup.store.create(id, &a, &sup.author()).unwrap();
    sup.store.sign_in(&r, "135790", Some(&code)).unwrap();
    let as_reviewer = Author { user: r.clone(), ..sup.author() };
    sup.store
        .update::<Appraisal>(id, &as_reviewer, |a| {
            a.status = AppraisalStatus::Reviewed;
            Ok(())
        })
        .unwrap();
    let report = sup.client.sync_now().unwrap();
    assert_eq!((report.accepted, report.rejected), (1, 0), "{:?}", sup.store.status(id));
    let detail = hr.get(&format!("/v1/hr/appraisals/{id}"));
    assert_eq!(detail["appraisal"]["status"], "reviewed");
    let people: Vec<&str> =
        detail["history"].as_array().unwrap().iter().map(|h| h["signature"]["person"].as_str().unwrap()).collect();
    assert_eq!(people, [p.boss_a.as_str(), r.as_str()]);

    // The same two steps in the other order are refused: the reviewer
    // cannot review what was not yet submitted when they signed.
    let staff = Nip::parse(&p.staff_a[1]).unwrap();
    let id = DocId::for_appraisal(&staff, PERIOD);
    let mut b = Appraisal::new(staff, PERIOD, &p.unit_a, Nip::parse(&p.boss_a).unwrap()).unwrap();
    b.reviewer_nip = Some(Nip::parse(&r).unwrap());
    b.targets.push(SkpTarget::new("Laporan layanan", 4.0, "dokumen", true).unwrap());
    b.hasil_kerja = Some(Rating::SesuaiEkspektasi);
    b.perilaku = Some(Rating::SesuaiEkspektasi);
    sup.store.create(id, &b, &sup.author()).unwrap();
    // A modified app writes "reviewed" as the reviewer over the draft the
    // appraiser never submitted, each change signed by its own person.
    let mut doc = Document::<Appraisal>::load(id, &sup.store.export(id).unwrap()).unwrap();
    let as_hr = |user: &str| Author { user: user.to_string(), role: Role::Hr, ..sup.author() };
    doc.edit(&as_hr(&r), Utc::now(), |x| {
        x.status = AppraisalStatus::Reviewed;
        Ok(())
    })
    .unwrap();
    let bytes = doc.save();
    let mut sigs = sup.store.sign_bytes(&p.boss_a, id, &bytes).unwrap();
    let by_reviewer = sup.store.sign_bytes(&r, id, &bytes).unwrap();
    // The reviewer's signature on the reviewer's change, the appraiser's on theirs.
    sigs.truncate(1);
    sigs.push(by_reviewer[1].clone());
    refused(push_signed(&sup, id, DocKind::Appraisal, bytes, sigs), RejectCode::Forbidden);
}

#[test]
fn the_app_session_asks_for_a_pin_and_a_kiosk_signs_by_itself() {
    use prestasi_core::session::{FeedbackInput, Session, SessionError};
    let w = World::start();
    let p = &w.people;
    let storage = w.server.storage.as_ref();
    let code = prestasi_server::admin::issue_enrollment(
        storage,
        MANOKWARI,
        Role::Supervisor,
        &p.boss_a,
        std::slice::from_ref(&p.unit_a),
    )
    .unwrap();
    let tablet = Session::open(w.dir().join("app.db").to_str().unwrap(), &prestasi_e2e::store_key()).unwrap();
    tablet.enroll(&w.server.url, &code).unwrap();
    tablet.sync_now().unwrap();
    // Nobody signed in: nothing is written.
    assert!(matches!(tablet.start_appraisal(&p.staff_a[0], PERIOD), Err(SessionError::NotSignedIn { .. })));
    assert!(matches!(tablet.sign_in(&p.boss_a, "12ab", None), Err(SessionError::Validation(_))));
    let me = tablet.sign_in(&p.boss_a, "246810", None).unwrap();
    assert_eq!(me.status, SignerStatus::Pending);
    assert!(me.has_code, "the enrollment's person code waits for the first sync");
    let id = tablet.start_appraisal(&p.staff_a[0], PERIOD).unwrap();
    assert_eq!(tablet.status(id).unwrap().sync, SyncState::AwaitingVerification);
    tablet.sync_now().unwrap();
    assert_eq!(tablet.status(id).unwrap().sync, SyncState::OnServer);
    assert_eq!(tablet.signers().unwrap()[0].status, SignerStatus::Bound);
    // A staff member the roster gives another appraiser: refused on the tablet.
    assert!(matches!(tablet.start_appraisal(&p.staff_b[0], PERIOD), Err(SessionError::Validation(_))));
    // Wrong PIN: typed, counted.
    tablet.sign_out();
    assert!(matches!(tablet.sign_in(&p.boss_a, "999999", None), Err(SessionError::WrongPin { attempts_left: 4 })));
    tablet.sign_in(&p.boss_a, "246810", None).unwrap();
    tablet.set_notes(id, "Baik").unwrap();

    let kcode = prestasi_server::admin::issue_enrollment(
        storage,
        MANOKWARI,
        Role::Kiosk,
        "kios-a",
        std::slice::from_ref(&p.unit_a),
    )
    .unwrap();
    let kiosk = Session::open(w.dir().join("kiosk.db").to_str().unwrap(), &prestasi_e2e::store_key()).unwrap();
    kiosk.enroll(&w.server.url, &kcode).unwrap();
    let input = FeedbackInput {
        unit_id: None,
        service: "KTP-el".into(),
        scores: [4; 9],
        minutes_waited: 5,
        comment: String::new(),
        officer_nip: None,
    };
    kiosk.record_feedback(input.clone()).unwrap();
    assert_eq!(kiosk.sync_now().unwrap().accepted, 1);
    // After a restart the kiosk is signed in again, without a PIN.
    drop(kiosk);
    let kiosk = Session::open(w.dir().join("kiosk.db").to_str().unwrap(), &prestasi_e2e::store_key()).unwrap();
    kiosk.record_feedback(input).unwrap();
    assert_eq!(kiosk.sync_now().unwrap().accepted, 1);
}

#[test]
fn a_run_of_changes_by_one_person_goes_out_with_one_signature_that_covers_it() {
    let w = World::start();
    let sup = w.supervisor_a();
    sup.client.sync_now().unwrap();
    let p = &w.people;
    let (id, a) = draft(p, 0);
    sup.store.create(id, &a, &sup.author()).unwrap();
    for note in ["satu", "dua"] {
        sup.store
            .update::<Appraisal>(id, &sup.author(), |x| {
                x.notes = note.into();
                Ok(())
            })
            .unwrap();
    }
    let out = sup.store.changes_for_server(id).unwrap();
    assert_eq!(out.sigs.len(), 1, "three changes by one person: one signature");
    assert_eq!(sup.client.sync_now().unwrap().accepted, 1);
    let hr = Hr::login(&w.server.url, MANOKWARI);
    let history = hr.get(&format!("/v1/hr/appraisals/{id}"))["history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 3);
    assert!(history.as_array().unwrap().iter().all(|h| h["signature"]["verdict"] == "verified"), "{history}");
    // The bundle says which change each signature is over; pointing an
    // earlier change's record at a change that does not cover it shows.
    let bundle: AuditBundle = serde_json::from_value(hr.get(&format!("/v1/hr/appraisals/{id}/audit"))).unwrap();
    assert!(verify_bundle(&bundle).unwrap().iter().all(|l| l.verdict.is_verified()));
    let mut bent = bundle.clone();
    let last = bent.signatures.iter().find(|s| s.signed.is_none()).unwrap().hash.clone();
    let first_line = &verify_bundle(&bundle).unwrap()[0];
    let covered = bent.signatures.iter_mut().find(|s| s.hash == first_line.hash).unwrap();
    assert_eq!(covered.signed.as_deref(), Some(last.as_str()));
    covered.signed = Some(first_line.hash.clone());
    assert!(matches!(verify_bundle(&bent).unwrap()[0].verdict, Verdict::Invalid { .. }));
}
