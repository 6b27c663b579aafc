//! `fixtures/conformance.json`'s pushes, through the server's push path:
//! each document gets exactly the outcome the file says another
//! implementation's server must give.

use prestasi_core::model::{Author, DeviceId, Role};
use prestasi_core::signing::unhex;
use prestasi_core::sync::protocol::{PushDoc, PushOutcome, id_bytes};
use serde_bytes::ByteBuf;
use serde_json::Value;

use super::*;
use crate::config::Limits;
use crate::storage::Storage;
use crate::storage::sqlite::SqliteStorage;

fn conformance() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/conformance.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A tenant as `push_setup` describes it, and its enrolled device.
fn setup(c: &Value) -> (SqliteStorage, Writer) {
    let setup = &c["push_setup"];
    let s = SqliteStorage::in_memory().unwrap();
    s.create_tenant("t", "Tenant").unwrap();
    let mut csv =
        String::from("NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;NIP_ATASAN\n");
    for (i, e) in setup["employees"].as_array().unwrap().iter().enumerate() {
        let superior = e["superior_nip"].as_str().unwrap_or("");
        csv += &format!(
            "{};Pegawai {i};{};Unit;a;Agency;pelaksana;Staf;{superior}\n",
            e["nip"].as_str().unwrap(),
            e["unit_id"].as_str().unwrap()
        );
    }
    let server = crate::state::server_identity(&s).unwrap();
    crate::admin::import_employees(&s, &server, "t", csv.as_bytes()).unwrap();
    let device: DeviceId = setup["device_id"].as_str().unwrap().parse().unwrap();
    let person = setup["person"].as_str().unwrap();
    assert_eq!(setup["role"], "admin");
    let w = Writer {
        tenant: "t".into(),
        origin: device.to_string(),
        author: Author::new(person, device, Role::Admin),
        enrolled_user: person.into(),
        units: Vec::new(),
        signing_key: Some(bound_test_key(&s, "t", person, &device)),
    };
    (s, w)
}

#[test]
fn every_conformance_push_gets_its_outcome() {
    let c = conformance();
    let pushes = c["pushes"].as_array().unwrap();
    assert!(pushes.len() >= 20);
    for p in pushes {
        let (s, w) = setup(&c);
        let id: prestasi_core::model::DocId = p["id"].as_str().unwrap().parse().unwrap();
        let doc = PushDoc {
            id: id_bytes(id),
            kind: p["kind"].as_str().unwrap().into(),
            changes: ByteBuf::from(unhex(p["changes"].as_str().unwrap()).unwrap()),
            sigs: Vec::new(),
        };
        let outcome = push_all(&s, &Limits::default(), &w, &[doc], 0).unwrap().remove(0).outcome;
        let name = p["name"].as_str().unwrap();
        let expect = &p["expect"];
        match (&outcome, expect["status"].as_str().unwrap()) {
            (PushOutcome::Accepted { .. }, "accepted") => {}
            (PushOutcome::Rejected(r), "rejected") => {
                assert_eq!(r.code.as_str(), expect["code"], "{name}: {r:?}");
                assert_eq!(r.field.as_deref(), expect["field"].as_str(), "{name}: {r:?}");
                assert!(!r.message.is_empty());
            }
            _ => panic!("{name}: expected {expect}, got {outcome:?}"),
        }
    }
}
