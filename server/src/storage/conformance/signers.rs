//! Person codes, bound keys, and the signatures of stored changes.

use prestasi_core::model::Appraisal;

use super::dataset::appraisal;
use super::*;

const T: &str = "manokwari";

pub(super) fn code(hash: &str, person: &str, device: Option<&str>) -> PersonCodeRow {
    PersonCodeRow {
        code_hash: hash.into(),
        tenant_id: T.into(),
        person: person.into(),
        device_id: device.map(str::to_string),
        created_by: "hr".into(),
        created_at: 0,
        expires_at: 1_000,
    }
}

pub(super) fn key(k: u8, person: &str, device: &str) -> SignerRow {
    SignerRow {
        public_key: vec![k; 32],
        tenant_id: T.into(),
        person: person.into(),
        device_id: device.into(),
        server: false,
        bound_at: 10,
        revoked_at: None,
        revoked_reason: None,
    }
}

/// `bind_signer` in a write of its own.
pub(super) fn bind(s: &dyn Storage, hash: &str, k: &SignerRow, now: i64) -> bool {
    let mut ok = false;
    s.write(&mut |tx| {
        ok = tx.bind_signer(hash, k, now)?;
        Ok(())
    })
    .unwrap();
    ok
}

/// `Lookup::signer` in a read of its own.
pub(super) fn signer(s: &dyn Storage, k: &[u8]) -> Option<SignerRow> {
    let mut found = None;
    s.read(&mut |l| {
        found = l.signer(k)?;
        Ok(())
    })
    .unwrap();
    found
}

pub(super) fn person_codes_bind_one_key(s: &dyn Storage) {
    two_tenants(s);
    s.create_person_code(&code("c1", BOSS, None)).unwrap();
    s.create_person_code(&code("c2", BOSS, Some("dev-1"))).unwrap();
    s.create_person_code(&code("c3", BOSS, None)).unwrap();
    s.create_person_code(&PersonCodeRow { tenant_id: "lhokseumawe".into(), ..code("c4", BOSS, None) }).unwrap();
    // Another person's key, an expired or unknown code: refused.
    assert!(!bind(s, "c1", &key(1, STAFF, "dev-1"), 10), "a code binds only its person's keys");
    assert!(!bind(s, "c1", &key(1, BOSS, "dev-1"), 5_000), "an expired code binds nothing");
    assert!(!bind(s, "c1", &key(1, BOSS, "dev-1"), 1_000), "a code expires at expires_at");
    assert!(!bind(s, "nope", &key(1, BOSS, "dev-1"), 10), "an unknown code binds nothing");
    assert!(!bind(s, "c4", &key(1, BOSS, "dev-1"), 10), "a code binds keys of its tenant only");
    // A device-bound code only on its device.
    assert!(!bind(s, "c2", &key(2, BOSS, "dev-2"), 10), "a device's code binds on that device only");
    assert!(bind(s, "c2", &key(2, BOSS, "dev-1"), 10), "on its device it binds");
    // A key already bound is not bound again (nor does it spend a code).
    assert!(!bind(s, "c1", &key(2, BOSS, "dev-1"), 10), "a bound key is not bound twice");
    assert!(bind(s, "c1", &key(1, BOSS, "dev-1"), 999), "the code was not spent by the refusals");
    assert!(!bind(s, "c1", &key(3, BOSS, "dev-1"), 10), "a code is used once");
    // Several bindings in one transaction see each other.
    let mut results = Vec::new();
    s.write(&mut |tx| {
        results =
            vec![tx.bind_signer("c3", &key(5, BOSS, "dev-3"), 10)?, tx.bind_signer("c3", &key(6, BOSS, "dev-3"), 10)?];
        let seen = tx.signer(&[5; 32])?;
        assert_eq!(seen.map(|k| k.device_id), Some("dev-3".into()), "a key bound in this transaction is found in it");
        Ok(())
    })
    .unwrap();
    assert_eq!(results, vec![true, false], "the first binding spends the code for the second");
    assert_eq!(signer(s, &[1; 32]), Some(key(1, BOSS, "dev-1")), "a bound key reads back as given");
    assert_eq!(signer(s, &[3; 32]), None, "refused keys are not bound");
    assert_eq!(signer(s, &[6; 32]), None);
    assert_eq!(s.signers(T, Some(BOSS)).unwrap().len(), 3, "three keys bound for BOSS");
}

pub(super) fn keys_list_newest_first_and_revoke(s: &dyn Storage) {
    two_tenants(s);
    let server = SignerRow {
        public_key: vec![9; 32],
        tenant_id: String::new(),
        person: "server".into(),
        device_id: "server-device".into(),
        server: true,
        bound_at: 5,
        revoked_at: None,
        revoked_reason: None,
    };
    let k1 = key(1, BOSS, "dev-1");
    let k2 = SignerRow { bound_at: 30, ..key(2, STAFF, "dev-1") };
    let k3 = SignerRow { bound_at: 20, ..key(3, BOSS, "dev-2") };
    let k4 = SignerRow { tenant_id: "lhokseumawe".into(), bound_at: 40, ..key(4, BOSS, "dev-9") };
    for k in [&server, &k1, &k2, &k3, &k4] {
        s.insert_signer(k).unwrap();
    }
    assert_eq!(
        s.signers(T, None).unwrap(),
        vec![k2.clone(), k3.clone(), k1.clone(), server.clone()],
        "a tenant's keys, newest first, with the server's own key"
    );
    assert_eq!(s.signers(T, Some(BOSS)).unwrap(), vec![k3.clone(), k1.clone()], "one person's keys, newest first");
    assert_eq!(s.signers("lhokseumawe", None).unwrap(), vec![k4.clone(), server.clone()], "each tenant its own keys");
    assert_eq!(s.signers("lhokseumawe", Some(STAFF)).unwrap(), vec![], "STAFF has no key there");
    assert_eq!(s.signers("nowhere", None).unwrap(), vec![server.clone()], "only the server's key elsewhere");
    let mut on_dev1 = s.device_signers("dev-1").unwrap();
    on_dev1.sort_by(|a, b| a.public_key.cmp(&b.public_key));
    assert_eq!(on_dev1, vec![k1.clone(), k2.clone()], "every key bound on one device");
    assert_eq!(s.device_signers("dev-9").unwrap(), vec![k4.clone()]);
    assert!(s.device_signers("dev-unknown").unwrap().is_empty());
    assert_eq!(signer(s, &[4; 32]), Some(k4.clone()), "Lookup::signer: in any tenant");
    assert_eq!(signer(s, &[9; 32]), Some(server.clone()), "the server's key too");

    let not_found = |r: Result<(), StorageError>, what: &str| {
        assert!(matches!(r, Err(StorageError::NotFound(_))), "revoke_signer {what}: NotFound, got {r:?}");
    };
    not_found(s.revoke_signer("lhokseumawe", &[1; 32], "x", 50), "of another tenant's key");
    not_found(s.revoke_signer(T, &[9; 32], "x", 50), "of the server's key");
    not_found(s.revoke_signer(T, &[7; 32], "x", 50), "of an unknown key");
    assert_eq!(signer(s, &[1; 32]), Some(k1.clone()), "refused revocations change nothing");
    assert_eq!(signer(s, &[9; 32]), Some(server), "the server's key stays");
    s.revoke_signer(T, &[1; 32], "PIN bocor", 50).unwrap();
    let revoked = SignerRow { revoked_at: Some(50), revoked_reason: Some("PIN bocor".into()), ..k1 };
    assert_eq!(signer(s, &[1; 32]), Some(revoked.clone()), "a revoked key keeps its binding, with when and why");
    assert!(s.device_signers("dev-1").unwrap().contains(&revoked), "device_signers includes revoked keys");
    assert!(s.signers(T, Some(BOSS)).unwrap().contains(&revoked), "signers includes revoked keys");
    assert_eq!(signer(s, &[3; 32]), Some(k3), "other keys untouched");
}

fn sig(hash: ChangeHash, signed: ChangeHash, k: u8) -> StoredSig {
    StoredSig { hash: hash.0.to_vec(), signed: signed.0.to_vec(), key: vec![k; 32], sig: vec![k; 64] }
}

pub(super) fn signatures_are_kept_with_their_document(s: &dyn Storage) {
    two_tenants(s);
    let a = appraisal(STAFF, "2026-Q3", "u1", BOSS);
    let id = DocId::for_appraisal(&a.employee_nip, &a.period);
    let mut d = Doc::<Appraisal>::new(id, &a);
    let mut w = d.write(T, "d1", 1);
    let created: Vec<ChangeHash> = change_hashes(&w.chunk);
    w.sigs = created.iter().map(|h| sig(*h, *h, 1)).collect();
    append(s, &w);
    // Two changes of one run: the last signs, and vouches for the first.
    d.edit(|x| x.notes = "Satu".into());
    d.edit(|x| x.notes = "Dua".into());
    let mut w = d.write(T, "d1", 2);
    let run = change_hashes(&w.chunk);
    assert_eq!(run.len(), 2, "fixture: two changes in one chunk");
    w.sigs = vec![sig(run[0], run[1], 2), sig(run[1], run[1], 2)];
    append(s, &w);
    let sorted = |mut v: Vec<StoredSig>| {
        v.sort_by(|a, b| a.hash.cmp(&b.hash));
        v
    };
    let mut want: Vec<StoredSig> = created.iter().map(|h| sig(*h, *h, 1)).collect();
    want.extend([sig(run[0], run[1], 2), sig(run[1], run[1], 2)]);
    let want = sorted(want);
    assert_eq!(sorted(s.signatures(T, id).unwrap()), want, "every stored change's signature, `signed` kept");
    assert!(s.signatures("lhokseumawe", id).unwrap().is_empty(), "signatures stay in their tenant");
    assert!(s.signatures(T, DocId::new()).unwrap().is_empty(), "and with their document");

    // The same signature again (a replayed change) is kept once; a compaction keeps them all.
    d.edit(|x| x.notes = "Tiga".into());
    let mut w = d.write(T, "d1", 3);
    let third = change_hashes(&w.chunk);
    w.sigs = vec![sig(run[1], run[1], 2), sig(third[0], third[0], 3)];
    w.compacted = Some(d.doc.save());
    append(s, &w);
    let mut want = want;
    want.push(sig(third[0], third[0], 3));
    assert_eq!(sorted(s.signatures(T, id).unwrap()), sorted(want), "no duplicate, nothing lost by compaction");
}
