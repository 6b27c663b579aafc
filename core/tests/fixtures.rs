//! Golden fixtures (`fixtures/` at the repository root) and the conformance
//! file another implementation runs (`fixtures/conformance.json`).
//!
//! `fixtures/documents/*.automerge` were saved once, at schema 1, and are
//! never rewritten: today's code must still read each to the value recorded
//! beside it. `conformance.json` is generated from the code and those files;
//! a test fails when it differs, `PRESTASI_BLESS=1` rewrites it (and writes
//! a document fixture only if it is missing).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::path::PathBuf;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use autosurgeon::{Hydrate, Reconcile};
use chrono::{TimeZone, Utc};
use prestasi_core::doc::{DocKind, Document, Record, genesis_hash};
use prestasi_core::model::{Appraisal, Author, DeviceId, DocId, Role};
use prestasi_core::signing::{PersonKey, binding_message, change_message, hex, unhex};
use prestasi_core::sync::protocol::{
    ChangeSig, KeyStatus, PulledDoc, PushDoc, PushOutcome, PushResult, RejectCode, Rejection, SignerBinding,
    SignerState, SyncRequest, SyncResponse, decode, encode, id_bytes,
};
use serde_bytes::ByteBuf;
use serde_json::{Value as Json, json};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures"))
}

fn bless() -> bool {
    std::env::var_os("PRESTASI_BLESS").is_some()
}

/// The saved document of `kind`: the golden file, written from the sample
/// only when it does not exist yet.
fn golden(kind: DocKind) -> Vec<u8> {
    let path = root().join("documents").join(format!("{}.automerge", kind.as_str()));
    if !path.exists() && bless() {
        std::fs::write(&path, common::sample(kind).2).unwrap();
    }
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (PRESTASI_BLESS=1 writes a missing fixture)", path.display()))
}

/// A document as JSON with each scalar's automerge type kept:
/// `{"f64": 120.0}`, `{"uint": 4}`, `{"int": -1}`, `{"text": "…"}` for Text
/// objects; strings, booleans and null as themselves.
fn typed(am: &AutoCommit, obj: &ObjId, ty: ObjType) -> Json {
    match ty {
        ObjType::Map | ObjType::Table => {
            let mut m = serde_json::Map::new();
            for k in am.keys(obj) {
                let (v, id) = am.get(obj, k.as_str()).unwrap().unwrap();
                m.insert(k, value(am, v, &id));
            }
            Json::Object(m)
        }
        ObjType::List => Json::Array(
            (0..am.length(obj))
                .map(|i| {
                    let (v, id) = am.get(obj, i).unwrap().unwrap();
                    value(am, v, &id)
                })
                .collect(),
        ),
        ObjType::Text => json!({ "text": am.text(obj).unwrap() }),
    }
}

fn value(am: &AutoCommit, v: Value<'_>, id: &ObjId) -> Json {
    match v {
        Value::Object(ty) => typed(am, id, ty),
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => json!(s.as_str()),
            ScalarValue::F64(f) => json!({ "f64": f }),
            ScalarValue::Uint(u) => json!({ "uint": u }),
            ScalarValue::Int(i) => json!({ "int": i }),
            ScalarValue::Boolean(b) => json!(b),
            ScalarValue::Null => Json::Null,
            other => json!({ "other": other.to_string() }),
        },
    }
}

fn document_json(kind: DocKind) -> (DocId, Json) {
    let bytes = golden(kind);
    let (_, id, _) = common::sample(kind);
    let mut am = AutoCommit::load(&bytes).unwrap();
    let heads: Vec<String> = am.get_heads().iter().map(|h| h.to_string()).collect();
    let file = format!("documents/{}.automerge", kind.as_str());
    (
        id,
        json!({ "kind": kind.as_str(), "id": id.to_string(), "file": file, "heads": heads, "value": typed(&am, &automerge::ROOT, ObjType::Map) }),
    )
}

/// Fixed key material: conformance vectors must not change between runs.
fn person_key() -> PersonKey {
    PersonKey::from_secret(&[7u8; 32])
}

fn first_change(bytes: &[u8]) -> (String, String) {
    let mut am = AutoCommit::load(bytes).unwrap();
    let c = am.get_changes(&[]).into_iter().next().unwrap();
    (c.hash().to_string(), hex(c.raw_bytes()))
}

fn derived_ids() -> Json {
    let staff = common::nip(common::STAFF);
    json!([
        { "name": format!("appraisal/{}/2026-Q3", common::STAFF), "id": DocId::for_appraisal(&staff, "2026-Q3").to_string() },
        { "name": format!("appraisal/{}/2027", common::STAFF), "id": DocId::for_appraisal(&staff, "2027").to_string() },
        { "name": format!("attendance/pelatihan-2026-01/{}", common::STAFF), "id": DocId::for_attendance("pelatihan-2026-01", &staff).to_string() },
    ])
}

fn genesis() -> Json {
    let ids = ["6f1c2b9a-0d4e-5a7b-8c3d-2e1f0a9b8c7d", "00000000-0000-5000-8000-000000000000"];
    let mut out: Vec<Json> = ids
        .iter()
        .map(|s| {
            let id: DocId = s.parse().unwrap();
            json!({ "id": s, "change_hash": genesis_hash::<Appraisal>(id).unwrap().to_string() })
        })
        .collect();
    // The genesis of the sample appraisal, as bytes, from its fixture.
    let (_, id, _) = common::sample(DocKind::Appraisal);
    let (hash, change) = first_change(&golden(DocKind::Appraisal));
    assert_eq!(hash, genesis_hash::<Appraisal>(id).unwrap().to_string(), "the fixture starts with the genesis");
    out.push(json!({ "id": id.to_string(), "change_hash": hash, "change": change }));
    Json::Array(out)
}

fn signatures() -> Json {
    let key = person_key();
    let (_, id, bytes) = common::sample(DocKind::Unit);
    let mut am = AutoCommit::load(&bytes).unwrap();
    let hash = am.get_heads()[0];
    let device = common::DEVICE;
    json!({
        "secret_key": hex(key.secret().as_slice()),
        "public_key": hex(&key.public()),
        "change": {
            "doc_id": id.to_string(),
            "change_hash": hash.to_string(),
            "message": hex(&change_message(id, &hash)),
            "signature": hex(&key.sign_change(id, &hash)),
        },
        "binding": {
            "device_id": device,
            "person": "admin:fixtures",
            "message": hex(&binding_message(device, "admin:fixtures")),
            "proof": hex(&key.sign_binding(device, "admin:fixtures")),
        },
    })
}

/// A copy of `bytes` with one field changed, saved whole.
fn mutated(bytes: &[u8], change: impl FnOnce(&mut AutoCommit)) -> Vec<u8> {
    let mut am = AutoCommit::load(bytes)
        .unwrap()
        .with_actor(automerge::ActorId::from(common::DEVICE.parse::<DeviceId>().unwrap().as_bytes().as_slice()));
    change(&mut am);
    am.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message("admin:fixtures".to_string())
            .with_time(1_790_000_000_000),
    );
    am.save()
}

fn child(am: &AutoCommit, obj: &ObjId, prop: impl Into<automerge::Prop>) -> ObjId {
    am.get(obj, prop).unwrap().unwrap().1
}

fn rejected(code: RejectCode, field: Option<&str>) -> Json {
    json!({ "status": "rejected", "code": code.as_str(), "field": field })
}

/// Documents to push, each with the outcome the server must give.
fn pushes() -> Json {
    let mut out = Vec::new();
    for kind in DocKind::ALL {
        let (_, id, _) = common::sample(kind);
        out.push(json!({ "name": format!("{} as saved", kind.as_str()), "kind": kind.as_str(), "id": id.to_string(),
            "changes": hex(&golden(kind)), "expect": { "status": "accepted" } }));
    }
    let appraisal = golden(DocKind::Appraisal);
    let (_, aid, _) = common::sample(DocKind::Appraisal);
    let feedback = golden(DocKind::Feedback);
    let (_, fid, _) = common::sample(DocKind::Feedback);
    let cases: Vec<(&str, DocKind, DocId, Vec<u8>, Json)> = vec![
        (
            "an f64 written as an int",
            DocKind::Appraisal,
            aid,
            mutated(&appraisal, |am| {
                let t = child(am, &child(am, &automerge::ROOT, "targets"), 0);
                am.put(&t, "target", ScalarValue::Int(120)).unwrap();
            }),
            rejected(RejectCode::Invalid, Some("targets[0].target")),
        ),
        (
            "a string written as Text",
            DocKind::Appraisal,
            aid,
            mutated(&appraisal, |am| {
                am.put_object(automerge::ROOT, "notes", ObjType::Text).unwrap();
            }),
            rejected(RejectCode::Invalid, Some("notes")),
        ),
        (
            "a null left out",
            DocKind::Appraisal,
            aid,
            mutated(&appraisal, |am| {
                am.delete(automerge::ROOT, "reviewer_nip").unwrap();
            }),
            rejected(RejectCode::Invalid, Some("reviewer_nip")),
        ),
        (
            "an unknown behaviour key",
            DocKind::Appraisal,
            aid,
            mutated(&appraisal, |am| {
                let b = child(am, &automerge::ROOT, "behaviour");
                am.put(&b, "jujur", "SesuaiEkspektasi").unwrap();
            }),
            rejected(RejectCode::Invalid, Some("behaviour.jujur")),
        ),
        (
            "an unknown status",
            DocKind::Appraisal,
            aid,
            mutated(&appraisal, |am| {
                am.put(automerge::ROOT, "status", "approved").unwrap();
            }),
            rejected(RejectCode::Invalid, Some("status")),
        ),
        (
            "notes over 4000 characters",
            DocKind::Appraisal,
            aid,
            mutated(&appraisal, |am| {
                am.put(automerge::ROOT, "notes", "x".repeat(4001)).unwrap();
            }),
            rejected(RejectCode::Invalid, Some("notes")),
        ),
        (
            "an SKM score of 5",
            DocKind::Feedback,
            fid,
            mutated(&feedback, |am| {
                let s = child(am, &automerge::ROOT, "scores");
                am.put(&s, "u5", ScalarValue::Uint(5)).unwrap();
            }),
            rejected(RejectCode::Invalid, Some("scores.u5")),
        ),
        (
            "a score written as an int",
            DocKind::Feedback,
            fid,
            mutated(&feedback, |am| {
                let s = child(am, &automerge::ROOT, "scores");
                am.put(&s, "u1", ScalarValue::Int(4)).unwrap();
            }),
            rejected(RejectCode::Invalid, Some("scores.u1")),
        ),
        (
            "bytes that are not automerge",
            DocKind::Feedback,
            DocId::from_uuid(uuid_of("0193a5f0-0000-7000-8000-0000000000ff")),
            b"not an automerge document".to_vec(),
            rejected(RejectCode::Malformed, None),
        ),
        (
            "feedback pushed as an appraisal",
            DocKind::Appraisal,
            fid,
            feedback.clone(),
            rejected(RejectCode::WrongKind, Some("kind")),
        ),
        (
            "an appraisal under an id not derived from it",
            DocKind::Appraisal,
            DocId::from_uuid(uuid_of("0193a5f0-0000-7000-8000-0000000000fe")),
            appraisal_elsewhere(),
            rejected(RejectCode::InvalidId, Some("id")),
        ),
        (
            "changes whose dependencies the server lacks",
            DocKind::Feedback,
            DocId::from_uuid(uuid_of("0193a5f0-0000-7000-8000-0000000000fd")),
            only_last_change(&feedback),
            rejected(RejectCode::MissingDependencies, None),
        ),
    ];
    for (name, kind, id, bytes, expect) in cases {
        out.push(json!({ "name": name, "kind": kind.as_str(), "id": id.to_string(), "changes": hex(&bytes), "expect": expect }));
    }
    Json::Array(out)
}

fn uuid_of(s: &str) -> uuid::Uuid {
    s.parse().unwrap()
}

/// The sample appraisal created under a random id (a second appraisal of
/// the same employee and period, which the server refuses).
fn appraisal_elsewhere() -> Vec<u8> {
    let a = common::appraisal();
    // `Document::create` refuses a non-derived id; build it the way a modified app would.
    let mut am = AutoCommit::new()
        .with_actor(automerge::ActorId::from(common::DEVICE.parse::<DeviceId>().unwrap().as_bytes().as_slice()));
    am.put(automerge::ROOT, "_kind", "appraisal").unwrap();
    am.put(automerge::ROOT, "_schema", ScalarValue::Uint(1)).unwrap();
    autosurgeon::reconcile(&mut am, &a).unwrap();
    am.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message("admin:fixtures".to_string())
            .with_time(1_790_000_000_000),
    );
    am.save()
}

/// A second change of a document alone, without the first it depends on.
fn only_last_change(bytes: &[u8]) -> Vec<u8> {
    let mut first = AutoCommit::load(bytes).unwrap();
    let heads = first.get_heads();
    let next = mutated(bytes, |am| am.put(automerge::ROOT, "comment", "Tambahan.").unwrap());
    let mut am = AutoCommit::load(&next).unwrap();
    am.save_after(&heads)
}

fn wire() -> Json {
    let key = person_key();
    let (_, id, bytes) = common::sample(DocKind::Unit);
    let mut am = AutoCommit::load(&bytes).unwrap();
    let hash = am.get_heads()[0];
    let request = SyncRequest {
        v: 1,
        cursor: 41,
        push: vec![PushDoc {
            id: id_bytes(id),
            kind: "unit".into(),
            changes: ByteBuf::from(bytes.clone()),
            sigs: vec![ChangeSig {
                hash: ByteBuf::from(hash.0.to_vec()),
                key: ByteBuf::from(key.public().to_vec()),
                sig: ByteBuf::from(key.sign_change(id, &hash).to_vec()),
            }],
        }],
        fetch: vec![id_bytes(common::sample(DocKind::Appraisal).1)],
        signers: vec![SignerBinding {
            person: "admin:fixtures".into(),
            key: ByteBuf::from(key.public().to_vec()),
            code: Some("ABCD-EFGH-JKLM".into()),
            proof: Some(ByteBuf::from(key.sign_binding(common::DEVICE, "admin:fixtures").to_vec())),
        }],
        max_pull_bytes: 262_144,
        epoch: Some("6f1c2d9e-5b7a-4c3e-8d21-0a9b8c7d6e5f".into()),
    };
    let (_, fid, _) = common::sample(DocKind::Feedback);
    let response = SyncResponse {
        v: 1,
        results: vec![
            PushResult {
                id: id_bytes(id),
                outcome: PushOutcome::Accepted { heads: vec![ByteBuf::from(hash.0.to_vec())] },
            },
            PushResult {
                id: id_bytes(fid),
                outcome: PushOutcome::Rejected(Rejection {
                    code: RejectCode::Invalid,
                    message: "scores.u5: bilangan cacah (uint) 1–4, diterima \"5\".".into(),
                    field: Some("scores.u5".into()),
                }),
            },
        ],
        docs: vec![PulledDoc {
            id: id_bytes(common::sample(DocKind::Employee).1),
            kind: "employee".into(),
            changes: ByteBuf::from(golden(DocKind::Employee)),
        }],
        cursor: 42,
        more: false,
        server_time: "2026-09-20T08:00:00.000Z".into(),
        signers: vec![SignerState {
            key: ByteBuf::from(key.public().to_vec()),
            status: KeyStatus::Bound,
            message: None,
        }],
        epoch: Some("6f1c2d9e-5b7a-4c3e-8d21-0a9b8c7d6e5f".into()),
    };
    json!([
        { "name": "sync request: push one document, fetch one, bind one key", "type": "SyncRequest", "cbor": hex(&encode(&request)) },
        { "name": "sync response: one accepted, one rejected, one pulled", "type": "SyncResponse", "cbor": hex(&encode(&response)) },
    ])
}

fn conformance() -> Json {
    let documents: Vec<Json> = DocKind::ALL.into_iter().map(|k| document_json(k).1).collect();
    json!({
        "format": "prestasi-conformance/1",
        "protocol": 1,
        "about": "Test vectors for another implementation of docs/PROTOCOL.md. Hex strings are bytes. Generated by core/tests/fixtures.rs; documents/*.automerge were saved at schema 1 and never change.",
        "derived_ids": { "namespace": "6d1f3c2a-94b7-4e0b-9a55-0c7e2f81b6d4", "uuid": "v5", "cases": derived_ids() },
        "genesis": genesis(),
        "signatures": signatures(),
        "documents": documents,
        "push_setup": {
            "about": "Push each document as the device below, enrolled as an administrator of a tenant holding these employees; every new change signed by the device's bound key. Each push is on its own, against a tenant holding nothing else.",
            "device_id": common::DEVICE,
            "person": "admin:fixtures",
            "role": "admin",
            "employees": [
                { "nip": common::STAFF, "unit_id": "unit-0001", "superior_nip": common::BOSS },
                { "nip": common::BOSS, "unit_id": "unit-0001", "superior_nip": common::REVIEWER },
                { "nip": common::REVIEWER, "unit_id": "unit-0001", "superior_nip": null },
            ],
        },
        "pushes": pushes(),
        "wire": wire(),
    })
}

fn conformance_path() -> PathBuf {
    root().join("conformance.json")
}

#[test]
fn the_conformance_file_is_what_the_code_makes() {
    let made = serde_json::to_string_pretty(&conformance()).unwrap() + "\n";
    if bless() {
        std::fs::write(conformance_path(), &made).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(conformance_path()).unwrap();
    assert!(
        kept == made,
        "fixtures/conformance.json differs from what the code makes; if the change is intended run PRESTASI_BLESS=1 cargo test -p prestasi-core --test fixtures"
    );
}

/// Every golden document reads with today's code to the value recorded for
/// it, with the heads recorded for it.
#[test]
fn every_golden_document_reads_as_recorded() {
    fn check<T: Record>(id: DocId, bytes: &[u8]) {
        let doc = Document::<T>::load(id, bytes).unwrap();
        let v = doc.value().unwrap();
        v.validate().unwrap();
        assert_eq!(doc.schema_version(), 1);
    }
    let kept: Json = serde_json::from_str(&std::fs::read_to_string(conformance_path()).unwrap()).unwrap();
    for (kind, recorded) in DocKind::ALL.into_iter().zip(kept["documents"].as_array().unwrap()) {
        let bytes = golden(kind);
        let (id, now) = document_json(kind);
        assert_eq!(&now, recorded, "{kind:?}");
        match kind {
            DocKind::Employee => check::<prestasi_core::model::Employee>(id, &bytes),
            DocKind::Unit => check::<prestasi_core::model::Unit>(id, &bytes),
            DocKind::Appraisal => check::<Appraisal>(id, &bytes),
            DocKind::Feedback => check::<prestasi_core::model::Feedback>(id, &bytes),
            DocKind::Training => check::<prestasi_core::model::Training>(id, &bytes),
            DocKind::Mentoring => check::<prestasi_core::model::Mentoring>(id, &bytes),
            DocKind::Allowance => check::<prestasi_core::model::Allowance>(id, &bytes),
            DocKind::Award => check::<prestasi_core::model::Award>(id, &bytes),
        }
    }
}

#[test]
fn the_wire_fixtures_decode_and_encode_back_to_the_same_bytes() {
    let kept: Json = serde_json::from_str(&std::fs::read_to_string(conformance_path()).unwrap()).unwrap();
    for w in kept["wire"].as_array().unwrap() {
        let bytes = unhex(w["cbor"].as_str().unwrap()).unwrap();
        let again = match w["type"].as_str().unwrap() {
            "SyncRequest" => encode(&decode::<SyncRequest>(&bytes).unwrap()),
            "SyncResponse" => encode(&decode::<SyncResponse>(&bytes).unwrap()),
            other => panic!("unknown type {other}"),
        };
        assert_eq!(hex(&again), hex(&bytes), "{}", w["name"]);
    }
}

/// A build at schema 2 (a field added) still makes the genesis of schema 1:
/// its new appraisals share the genesis with old tablets' and the server's,
/// and an old build reads what it wrote.
#[test]
fn a_schema_two_build_keeps_the_frozen_genesis() {
    #[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
    struct AppraisalV2(Appraisal);
    impl Record for AppraisalV2 {
        const KIND: DocKind = DocKind::Appraisal;
        const SCHEMA: u64 = 2;
        const CONTAINERS: &'static [(&'static str, ObjType)] = Appraisal::CONTAINERS;
        const SHARED_GENESIS: bool = true;
        fn validate(&self) -> Result<(), prestasi_core::ValidationError> {
            self.0.validate()
        }
        fn check_change(old: Option<&Self>, new: &Self, author: &Author) -> Result<(), prestasi_core::ValidationError> {
            Appraisal::check_change(old.map(|o| &o.0), &new.0, author)
        }
        fn derived_id(&self) -> Option<DocId> {
            self.0.derived_id()
        }
    }
    let (_, id, _) = common::sample(DocKind::Appraisal);
    assert_eq!(genesis_hash::<AppraisalV2>(id), genesis_hash::<Appraisal>(id));

    let at = Utc.with_ymd_and_hms(2026, 9, 20, 8, 0, 0).unwrap();
    let hr = |n: u8| Author::new(format!("hr:{n}"), DeviceId::from_bytes([n; 16]), Role::Hr);
    let mut new_build = Document::create(id, &AppraisalV2(common::appraisal()), &hr(1), at).unwrap();
    let mut old_build = Document::<Appraisal>::create(id, &common::appraisal(), &hr(2), at).unwrap();
    assert_eq!(new_build.schema_version(), 2);
    assert_eq!(
        first_change(&new_build.save()),
        first_change(&golden(DocKind::Appraisal)),
        "same genesis change, byte for byte"
    );
    // The old build reads what the new one wrote.
    let read_by_old = Document::<Appraisal>::load(id, &new_build.save()).unwrap();
    assert_eq!(read_by_old.value().unwrap(), common::appraisal());
    assert_eq!(read_by_old.schema_version(), 2, "the newest writer's schema is recorded");
    // Copies made offline by the two builds share one genesis and merge.
    let mut merged = Document::<Appraisal>::load(id, &old_build.save()).unwrap();
    merged.apply(&new_build.save()).unwrap();
    assert_eq!(merged.automerge().get_changes(&[]).len(), 3, "one shared genesis and one change from each build");
    merged.value().unwrap();
}
