//! Tenants, HR users, sessions, enrollment codes, devices, meta.

use super::*;

pub(super) fn user(tenant: &str, name: &str, role: Role) -> UserRow {
    UserRow { tenant_id: tenant.into(), username: name.into(), password_hash: format!("hash-of-{name}"), role }
}

pub(super) fn tenants_and_users(s: &dyn Storage) {
    two_tenants(s);
    assert!(matches!(s.create_tenant("manokwari", "x"), Err(StorageError::Conflict(_))), "a tenant id is unique");
    assert_eq!(
        s.tenant("manokwari").unwrap().unwrap().name,
        "Kabupaten Manokwari",
        "a refused duplicate changes nothing"
    );
    assert!(s.tenant("nowhere").unwrap().is_none(), "unknown tenant: None");
    assert_eq!(
        s.tenants().unwrap().into_iter().map(|t| t.id).collect::<Vec<_>>(),
        vec!["lhokseumawe", "manokwari"],
        "tenants in id order"
    );

    let siti = user("manokwari", "siti", Role::Hr);
    s.create_user(&siti).unwrap();
    let root = user("manokwari", "root", Role::Admin);
    s.create_user(&root).unwrap();
    let dup = UserRow { password_hash: "other".into(), role: Role::Admin, ..siti.clone() };
    assert!(matches!(s.create_user(&dup), Err(StorageError::Conflict(_))), "a username is unique in its tenant");
    assert_eq!(s.user("manokwari", "siti").unwrap(), Some(siti.clone()), "a refused duplicate changes nothing");
    assert_eq!(s.user("manokwari", "root").unwrap(), Some(root), "roles are kept");
    assert!(s.user("lhokseumawe", "siti").unwrap().is_none(), "users are per tenant");
    let theirs = user("lhokseumawe", "siti", Role::Admin);
    s.create_user(&theirs).unwrap();
    assert_eq!(s.user("lhokseumawe", "siti").unwrap(), Some(theirs), "the same name in another tenant is another user");
    assert_eq!(s.user("manokwari", "siti").unwrap(), Some(siti), "and leaves this one alone");
    assert!(s.user("manokwari", "nobody").unwrap().is_none());
    let r = s.create_user(&user("nowhere", "x", Role::Hr));
    assert!(matches!(r, Err(StorageError::NotFound(_))), "a user of an unknown tenant: NotFound, got {r:?}");
}

pub(super) fn sessions_expire_and_delete(s: &dyn Storage) {
    two_tenants(s);
    s.create_user(&user("manokwari", "siti", Role::Hr)).unwrap();
    let session = |token: &str, expires_at| SessionRow {
        token_hash: token.into(),
        tenant_id: "manokwari".into(),
        username: "siti".into(),
        role: Role::Hr,
        expires_at,
    };
    s.create_session(&session("t1", 100)).unwrap();
    s.create_session(&SessionRow { role: Role::Admin, ..session("t2", 200) }).unwrap();
    assert_eq!(s.session("t1", 99).unwrap(), Some(session("t1", 100)), "a live session reads back as created");
    assert!(s.session("t1", 100).unwrap().is_none(), "a session expires at expires_at");
    assert!(s.session("t1", 1_000).unwrap().is_none(), "and stays expired");
    assert_eq!(s.session("t2", 150).unwrap().map(|x| x.role), Some(Role::Admin), "each session its own row");
    assert!(s.session("nope", 0).unwrap().is_none(), "unknown token: None");
    s.delete_session("t1").unwrap();
    assert!(s.session("t1", 0).unwrap().is_none(), "a deleted session is gone");
    assert!(s.session("t2", 150).unwrap().is_some(), "deleting one leaves the others");
    s.delete_session("t1").unwrap();
    s.delete_session("never-existed").unwrap();
}

pub(super) fn device(id: &str) -> DeviceRow {
    DeviceRow {
        id: id.into(),
        tenant_id: String::new(),
        role: Role::Kiosk,
        user_id: String::new(),
        units: Vec::new(),
        secret_hash: format!("secret-of-{id}"),
        enrolled_at: 0,
        revoked_at: None,
        revoked_reason: None,
        wiped_at: None,
    }
}

pub(super) fn enrollment(code: &str, tenant: &str, expires_at: i64) -> EnrollmentRow {
    EnrollmentRow {
        code_hash: code.into(),
        tenant_id: tenant.into(),
        role: Role::Supervisor,
        user_id: BOSS.into(),
        units: vec!["u1".into(), "u2".into()],
        created_at: 0,
        expires_at,
    }
}

pub(super) fn enrollment_codes_are_single_use(s: &dyn Storage) {
    two_tenants(s);
    s.create_enrollment(&enrollment("c1", "manokwari", 1000)).unwrap();
    s.create_enrollment(&enrollment("c2", "manokwari", 10)).unwrap();
    s.create_enrollment(&EnrollmentRow {
        role: Role::Kiosk,
        user_id: "kios-1".into(),
        units: vec!["u9".into()],
        ..enrollment("c3", "lhokseumawe", 1000)
    })
    .unwrap();
    let d = s.redeem_enrollment("c1", &device("d1"), 5).unwrap();
    let want = DeviceRow {
        tenant_id: "manokwari".into(),
        role: Role::Supervisor,
        user_id: BOSS.into(),
        units: vec!["u1".into(), "u2".into()],
        enrolled_at: 5,
        ..device("d1")
    };
    assert_eq!(d, want, "the device: id and secret as given; tenant, role, user and units from the code; enrolled now");
    assert_eq!(s.device("d1").unwrap(), Some(want.clone()), "and stored so");
    assert!(matches!(s.redeem_enrollment("c1", &device("d2"), 6), Err(StorageError::EnrollmentInvalid)), "single use");
    assert!(s.device("d2").unwrap().is_none(), "a refused redemption registers nothing");
    assert!(
        matches!(s.redeem_enrollment("c2", &device("d3"), 10), Err(StorageError::EnrollmentInvalid)),
        "a code expires at expires_at"
    );
    assert!(
        matches!(s.redeem_enrollment("nope", &device("d4"), 1), Err(StorageError::EnrollmentInvalid)),
        "unknown code"
    );
    // A device id already taken: refused, and the code is not spent.
    let r = s.redeem_enrollment("c3", &device("d1"), 7);
    assert!(r.is_err(), "a device id is registered once, got {r:?}");
    assert_eq!(s.device("d1").unwrap(), Some(want), "the registered device is untouched");
    let kiosk = s.redeem_enrollment("c3", &device("d5"), 8).unwrap();
    assert_eq!(
        (kiosk.tenant_id.as_str(), kiosk.role, kiosk.units.clone()),
        ("lhokseumawe", Role::Kiosk, vec!["u9".to_string()]),
        "the code survived the refusal"
    );
    let r = s.create_enrollment(&enrollment("c9", "nowhere", 1000));
    assert!(matches!(r, Err(StorageError::NotFound(_))), "an enrollment of an unknown tenant: NotFound, got {r:?}");
}

pub(super) fn devices_list_and_revoke(s: &dyn Storage) {
    two_tenants(s);
    for (code, tenant) in [("c1", "manokwari"), ("c2", "manokwari"), ("c3", "manokwari"), ("c4", "lhokseumawe")] {
        s.create_enrollment(&enrollment(code, tenant, 1000)).unwrap();
    }
    s.redeem_enrollment("c1", &device("dev-c"), 5).unwrap();
    s.redeem_enrollment("c2", &device("dev-b"), 3).unwrap();
    s.redeem_enrollment("c3", &device("dev-a"), 3).unwrap();
    s.redeem_enrollment("c4", &device("dev-z"), 1).unwrap();
    let ids = |t: &str| s.devices(t).unwrap().into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids("manokwari"), vec!["dev-a", "dev-b", "dev-c"], "a tenant's devices by enrollment time, then id");
    assert_eq!(ids("lhokseumawe"), vec!["dev-z"], "devices are per tenant");
    assert!(ids("nowhere").is_empty());
    assert!(s.device("dev-unknown").unwrap().is_none(), "unknown device: None");
    s.revoke_device("dev-b", "tablet hilang", 7).unwrap();
    let d = s.device("dev-b").unwrap().unwrap();
    assert_eq!((d.revoked_at, d.revoked_reason.as_deref()), (Some(7), Some("tablet hilang")), "revoked: when and why");
    assert_eq!(
        s.devices("manokwari").unwrap().iter().filter(|d| d.revoked_at.is_some()).count(),
        1,
        "revoked devices stay listed, alone revoked"
    );
    assert_eq!(s.device("dev-a").unwrap().unwrap().revoked_at, None, "others untouched");
    assert!(
        matches!(s.revoke_device("nope", "x", 1), Err(StorageError::NotFound(_))),
        "revoking an unknown device: NotFound"
    );

    // A revoked device reports its wipe; nobody else can.
    assert_eq!(d.wiped_at, None, "not wiped until it says so");
    assert!(!s.record_wipe("dev-a", "{}", 8).unwrap(), "a device not revoked is not marked wiped");
    assert!(!s.record_wipe("nope", "{}", 8).unwrap(), "nor an unknown one");
    assert_eq!(s.device("dev-a").unwrap().unwrap().wiped_at, None);
    assert!(s.device_events("dev-a").unwrap().is_empty(), "and nothing is logged for them");
    assert!(s.record_wipe("dev-b", r#"{"documents":1}"#, 9).unwrap());
    assert!(s.record_wipe("dev-b", r#"{"documents":0}"#, 12).unwrap(), "a second report is logged too");
    let d = s.device("dev-b").unwrap().unwrap();
    assert_eq!((d.revoked_at, d.wiped_at), (Some(7), Some(9)), "the first report's time stays");
    assert_eq!(
        s.devices("manokwari").unwrap().iter().filter_map(|d| d.wiped_at).collect::<Vec<_>>(),
        vec![9],
        "the listing shows it"
    );
    let event = DeviceEventRow {
        device_id: "dev-b".into(),
        at: 20,
        event: "revoked_bundle_imported".into(),
        actor: "siti".into(),
        detail: r#"{"bundle":"b1"}"#.into(),
    };
    s.log_device_event(&event).unwrap();
    let log = s.device_events("dev-b").unwrap();
    assert_eq!(
        log.iter().map(|e| (e.at, e.event.as_str(), e.actor.as_str())).collect::<Vec<_>>(),
        vec![(9, "wiped", "dev-b"), (12, "wiped", "dev-b"), (20, "revoked_bundle_imported", "siti")],
        "the audit trail in order, the device itself the actor of its wipe"
    );
    assert_eq!(log[0].detail, r#"{"documents":1}"#);
    assert_eq!(log[2], event);
    let r = s.log_device_event(&DeviceEventRow { device_id: "nope".into(), ..event });
    assert!(matches!(r, Err(StorageError::NotFound(_))), "an event of an unknown device: NotFound, got {r:?}");
}

pub(super) fn unit_services_are_replaced_whole_and_kept_in_order(s: &dyn Storage) {
    assert!(s.unit_services("t1", "u1").unwrap().is_empty());
    let list = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    s.set_unit_services("t1", "u1", &list(&["KTP elektronik", "Akta kelahiran", "Kartu keluarga"])).unwrap();
    s.set_unit_services("t1", "u2", &list(&["Imunisasi"])).unwrap();
    s.set_unit_services("t2", "u1", &list(&["Izin usaha"])).unwrap();
    assert_eq!(s.unit_services("t1", "u1").unwrap(), list(&["KTP elektronik", "Akta kelahiran", "Kartu keluarga"]));
    // Replaced whole: order changed, one removed.
    s.set_unit_services("t1", "u1", &list(&["Kartu keluarga", "KTP elektronik"])).unwrap();
    assert_eq!(s.unit_services("t1", "u1").unwrap(), list(&["Kartu keluarga", "KTP elektronik"]));
    // Units and tenants are separate.
    assert_eq!(s.unit_services("t1", "u2").unwrap(), list(&["Imunisasi"]));
    assert_eq!(s.unit_services("t2", "u1").unwrap(), list(&["Izin usaha"]));
    s.set_unit_services("t1", "u1", &[]).unwrap();
    assert!(s.unit_services("t1", "u1").unwrap().is_empty());
}

pub(super) fn meta_is_a_small_key_value_store(s: &dyn Storage) {
    assert!(s.meta("server.device").unwrap().is_none(), "unset: None");
    s.set_meta("server.device", "a").unwrap();
    s.set_meta("view.version", "1").unwrap();
    assert_eq!(s.meta("server.device").unwrap().as_deref(), Some("a"));
    s.set_meta("server.device", "b").unwrap();
    assert_eq!(s.meta("server.device").unwrap().as_deref(), Some("b"), "set_meta replaces");
    assert_eq!(s.meta("view.version").unwrap().as_deref(), Some("1"), "keys are independent");
}

pub(super) fn init_meta_keeps_the_first_value(s: &dyn Storage) {
    assert_eq!(s.init_meta("secret", "a").unwrap(), "a", "unset: the value given is kept");
    assert_eq!(s.init_meta("secret", "b").unwrap(), "a", "set: the first value stays and is returned");
    assert_eq!(s.meta("secret").unwrap().as_deref(), Some("a"));
    // Racing instances: every caller gets the same, single value.
    let kept: Vec<String> = std::thread::scope(|t| {
        let handles: Vec<_> =
            (0..6).map(|i| t.spawn(move || s.init_meta("raced", &format!("v{i}")).unwrap())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(kept.iter().all(|k| *k == kept[0]), "racing init_meta calls agree: {kept:?}");
    assert_eq!(s.meta("raced").unwrap().as_ref(), Some(&kept[0]));
}

pub(super) fn events_count_in_fixed_windows(s: &dyn Storage) {
    assert_eq!(s.count_event("k", 1_000, 10_000).unwrap(), (1, 11_000), "first event opens a window");
    assert_eq!(s.count_event("k", 1_000, 10_500).unwrap(), (2, 11_000), "same window: counted, same end");
    assert_eq!(s.count_event("other", 1_000, 10_600).unwrap(), (1, 11_600), "keys count apart");
    assert_eq!(s.count_event("k", 1_000, 11_000).unwrap(), (1, 12_000), "an ended window starts again");
    // Concurrent events (several instances) are each counted once.
    std::thread::scope(|t| {
        for _ in 0..4 {
            t.spawn(|| {
                for _ in 0..10 {
                    s.count_event("busy", 60_000, 20_000).unwrap();
                }
            });
        }
    });
    assert_eq!(s.count_event("busy", 60_000, 20_001).unwrap().0, 41, "40 concurrent events, then this one");
}
