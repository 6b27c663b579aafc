//! Pushed bytes come from the network: whatever they are, the server
//! answers with an outcome and stores nothing invalid — it never panics.

use chrono::Utc;
use prestasi_core::doc::Document;
use prestasi_core::model::{Appraisal, Author, DeviceId, DocId, Role};
use prestasi_core::rules::nip::Nip;
use prestasi_core::sync::protocol::{PushDoc, PushOutcome, id_bytes};
use proptest::prelude::*;
use serde_bytes::ByteBuf;

use super::*;
use crate::config::Limits;
use crate::storage::Storage;
use crate::storage::sqlite::SqliteStorage;

const STAFF: &str = "199307082019031090";
const BOSS: &str = "198802182010062056";

fn setup() -> (SqliteStorage, Writer) {
    let s = SqliteStorage::in_memory().unwrap();
    s.create_tenant("t", "Tenant").unwrap();
    let csv = format!(
        "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;NIP_ATASAN\n\
         {STAFF};Ani;u1;Unit;a;Agency;pelaksana;Staf;{BOSS}\n{BOSS};Budi;u1;Unit;a;Agency;pengawas;Kepala;\n"
    );
    let server = crate::state::server_identity(&s).unwrap();
    crate::admin::import_employees(&s, &server, "t", csv.as_bytes()).unwrap();
    let device = DeviceId::random();
    let w = Writer {
        tenant: "t".into(),
        origin: device.to_string(),
        author: Author::new(BOSS, device, Role::Supervisor),
        enrolled_user: BOSS.into(),
        units: vec!["u1".into()],
        // Signs as the device would: the pushed bytes are what is under test.
        signing_key: Some(crate::sync::bound_test_key(&s, "t", BOSS, &device)),
    };
    (s, w)
}

fn valid(w: &Writer) -> (DocId, Vec<u8>) {
    let staff = Nip::parse(STAFF).unwrap();
    let id = DocId::for_appraisal(&staff, "2026-Q3");
    let a = Appraisal::new(staff, "2026-Q3", "u1", Nip::parse(BOSS).unwrap()).unwrap();
    (id, Document::create(id, &a, &w.author, Utc::now()).unwrap().save())
}

fn push(s: &SqliteStorage, w: &Writer, id: DocId, bytes: Vec<u8>) -> PushOutcome {
    let doc = PushDoc { id: id_bytes(id), kind: "appraisal".into(), changes: ByteBuf::from(bytes), sigs: Vec::new() };
    push_all(s, &Limits::default(), w, &[doc], 0).unwrap().remove(0).outcome
}

#[test]
fn a_valid_document_is_accepted_once_and_replays_are_idempotent() {
    let (s, w) = setup();
    let (id, bytes) = valid(&w);
    assert!(matches!(push(&s, &w, id, bytes.clone()), PushOutcome::Accepted { .. }));
    let before = s.document("t", id).unwrap().unwrap().bytes.len();
    assert!(matches!(push(&s, &w, id, bytes), PushOutcome::Accepted { .. }));
    assert_eq!(s.document("t", id).unwrap().unwrap().bytes.len(), before, "a replay stores nothing");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Flipped, truncated or extended bytes of a valid document.
    #[test]
    fn corrupted_documents_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                                       cut in any::<prop::sample::Index>(), tail in proptest::collection::vec(any::<u8>(), 0..16)) {
        let (s, w) = setup();
        let (id, mut bytes) = valid(&w);
        for (at, x) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= x;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        bytes.extend(tail);
        let outcome = push(&s, &w, id, bytes);
        if let PushOutcome::Accepted { .. } = outcome {
            // Whatever was accepted is a loadable, valid appraisal.
            let stored = s.document("t", id).unwrap().unwrap();
            let doc = Document::<Appraisal>::load(id, &stored.bytes).unwrap();
            doc.value().unwrap().validate().unwrap();
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let (s, w) = setup();
        let outcome = push(&s, &w, DocId::new(), bytes);
        prop_assert!(matches!(outcome, PushOutcome::Rejected(_)));
    }
}
