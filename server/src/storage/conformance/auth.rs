//! HR logins: tokens of one login, refresh rotation, revocation, the forced
//! password change, the login audit log, peeking at rate windows.

use super::admin::user;
use super::*;

fn access(token: &str, username: &str, expires_at: i64) -> SessionRow {
    SessionRow {
        token_hash: token.into(),
        tenant_id: "manokwari".into(),
        username: username.into(),
        role: Role::Hr,
        expires_at,
    }
}

fn api_login(s: &dyn Storage, session: &str, token: &str, refresh: &str, username: &str, now: i64) {
    let login = NewLogin {
        session_id: session.into(),
        access: access(token, username, now + 100),
        refresh: Some(RefreshRow { token_hash: refresh.into(), expires_at: now + 1_000 }),
    };
    s.create_login(&login, now).unwrap();
}

fn rotation(access: &str, refresh: &str, access_expires_at: i64) -> Rotation {
    Rotation { access_hash: access.into(), access_expires_at, refresh_hash: refresh.into() }
}

pub(super) fn logins_rotate_and_revoke(s: &dyn Storage) {
    two_tenants(s);
    s.create_user(&user("manokwari", "siti", Role::Hr)).unwrap();
    api_login(s, "L1", "a1", "r1", "siti", 10);
    assert_eq!(s.session("a1", 20).unwrap(), Some(access("a1", "siti", 110)), "the access token opens the API");
    assert!(s.session("r1", 20).unwrap().is_none(), "a refresh token is no access token");

    // Rotation: the old refresh token is used up, the new pair works.
    let r = s.refresh_login("r1", &rotation("a2", "r2", 150), 50).unwrap();
    assert_eq!(
        r,
        Refreshed::Rotated { access: access("a2", "siti", 150), refresh_expires_at: 1_010 },
        "rotated: tenant, user and role of the login; the login's end handed on"
    );
    assert_eq!(s.session("a2", 60).unwrap().map(|x| x.expires_at), Some(150));
    assert!(s.session("a1", 60).unwrap().is_some(), "the earlier access token lives out its time");
    let capped = s.refresh_login("r2", &rotation("a3", "r3", 5_000), 60).unwrap();
    assert_eq!(
        capped,
        Refreshed::Rotated { access: access("a3", "siti", 1_010), refresh_expires_at: 1_010 },
        "an access token never outlives its login"
    );
    assert_eq!(s.refresh_login("nope", &rotation("x", "y", 100), 60).unwrap(), Refreshed::Invalid, "unknown");
    assert!(s.session("x", 60).unwrap().is_none(), "an invalid refresh stores nothing");

    // A used refresh token presented again revokes the whole login.
    assert_eq!(s.refresh_login("r1", &rotation("a9", "r9", 100), 70).unwrap(), Refreshed::Reused);
    for t in ["a1", "a2", "a3", "a9"] {
        assert!(s.session(t, 70).unwrap().is_none(), "{t}: every token of the reused login is gone");
    }
    assert_eq!(s.refresh_login("r3", &rotation("a4", "r4", 100), 70).unwrap(), Refreshed::Invalid, "r3 too");

    // An expired refresh token is refused and changes nothing.
    api_login(s, "L2", "b1", "s1", "siti", 2_000);
    assert_eq!(s.refresh_login("s1", &rotation("b2", "s2", 3_100), 3_000).unwrap(), Refreshed::Invalid, "expired");
    assert_eq!(
        s.refresh_login("s1", &rotation("b2", "s2", 2_100), 2_500).unwrap(),
        Refreshed::Rotated { access: access("b2", "siti", 2_100), refresh_expires_at: 3_000 },
        "the refused refresh spent nothing"
    );

    // Concurrent refreshes with one token: exactly one rotates.
    api_login(s, "L3", "c1", "t1", "siti", 4_000);
    let outcomes: Vec<Refreshed> = std::thread::scope(|t| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                t.spawn(move || s.refresh_login("t1", &rotation(&format!("c-{i}"), &format!("t-{i}"), 4_100), 4_010))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect()
    });
    let rotated = outcomes.iter().filter(|o| matches!(o, Refreshed::Rotated { .. })).count();
    assert_eq!(rotated, 1, "one token, one rotation: {outcomes:?}");

    // Logout: the login of the token, all of it, and nothing else.
    api_login(s, "L4", "d1", "u1", "siti", 5_000);
    let r = s.refresh_login("u1", &rotation("d2", "u2", 5_100), 5_001).unwrap();
    assert!(matches!(r, Refreshed::Rotated { .. }));
    api_login(s, "L5", "e1", "v1", "siti", 5_000);
    assert!(s.revoke_login("d2").unwrap(), "a known token");
    assert!(!s.revoke_login("d2").unwrap(), "revoked already: unknown");
    assert!(s.session("d1", 5_002).unwrap().is_none() && s.session("d2", 5_002).unwrap().is_none());
    assert_eq!(s.refresh_login("u2", &rotation("d3", "u3", 5_100), 5_002).unwrap(), Refreshed::Invalid);
    assert!(s.session("e1", 5_002).unwrap().is_some(), "another login of the same user stays");

    // A web login (no refresh token) and a login of one token from before
    // (create_session) are revoked by their token too.
    let web = NewLogin { session_id: "W1".into(), access: access("w1", "siti", 9_000), refresh: None };
    s.create_login(&web, 5_000).unwrap();
    s.create_session(&access("old", "siti", 9_000)).unwrap();
    assert!(s.revoke_login("w1").unwrap() && s.revoke_login("old").unwrap());
    assert!(s.session("w1", 5_002).unwrap().is_none() && s.session("old", 5_002).unwrap().is_none());
}

pub(super) fn a_users_logins_are_revoked_together(s: &dyn Storage) {
    two_tenants(s);
    s.create_user(&user("manokwari", "siti", Role::Hr)).unwrap();
    s.create_user(&user("manokwari", "agus", Role::Hr)).unwrap();
    api_login(s, "L1", "a1", "r1", "siti", 10);
    api_login(s, "L2", "a2", "r2", "siti", 10);
    s.create_login(&NewLogin { session_id: "W".into(), access: access("w", "siti", 500), refresh: None }, 10).unwrap();
    s.create_session(&access("old", "siti", 500)).unwrap();
    api_login(s, "L3", "b1", "q1", "agus", 10);
    let theirs = SessionRow { tenant_id: "lhokseumawe".into(), ..access("x1", "siti", 500) };
    s.create_login(&NewLogin { session_id: "X".into(), access: theirs, refresh: None }, 10).unwrap();
    api_login(s, "L0", "z1", "y1", "siti", -2_000);

    assert_eq!(s.revoke_user_logins("manokwari", "siti", 20).unwrap(), 4, "two API logins, a web one, an old one");
    for t in ["a1", "a2", "w", "old"] {
        assert!(s.session(t, 20).unwrap().is_none(), "{t} revoked");
    }
    assert_eq!(s.refresh_login("r1", &rotation("n", "m", 100), 20).unwrap(), Refreshed::Invalid, "refresh too");
    assert!(s.session("b1", 20).unwrap().is_some(), "another user's login stays");
    assert!(s.session("x1", 20).unwrap().is_some(), "the same name in another tenant stays");
    assert_eq!(s.revoke_user_logins("manokwari", "siti", 20).unwrap(), 0, "nothing left");
    assert_eq!(s.revoke_user_logins("manokwari", "nobody", 20).unwrap(), 0);
}

pub(super) fn passwords_are_set_and_must_change(s: &dyn Storage) {
    two_tenants(s);
    s.create_user(&user("manokwari", "siti", Role::Hr)).unwrap();
    s.create_user(&user("lhokseumawe", "siti", Role::Hr)).unwrap();
    assert!(!s.must_change_password("manokwari", "siti").unwrap(), "a new user keeps their password");
    assert!(!s.must_change_password("manokwari", "nobody").unwrap(), "unknown user: false");
    api_login(s, "L1", "a1", "r1", "siti", 10);

    assert_eq!(s.set_password("manokwari", "siti", "temporary", true, 20).unwrap(), 1, "its live login revoked");
    assert_eq!(s.user("manokwari", "siti").unwrap().unwrap().password_hash, "temporary");
    assert!(s.must_change_password("manokwari", "siti").unwrap());
    assert!(s.session("a1", 20).unwrap().is_none(), "revoked with the password change");
    assert_eq!(s.refresh_login("r1", &rotation("n", "m", 100), 20).unwrap(), Refreshed::Invalid);
    assert!(!s.must_change_password("lhokseumawe", "siti").unwrap(), "per tenant");
    assert_eq!(s.user("lhokseumawe", "siti").unwrap().unwrap().password_hash, "hash-of-siti");

    assert_eq!(s.set_password("manokwari", "siti", "chosen", false, 30).unwrap(), 0);
    assert!(!s.must_change_password("manokwari", "siti").unwrap(), "changed: the flag is cleared");
    assert_eq!(s.user("manokwari", "siti").unwrap().unwrap().password_hash, "chosen");
    let r = s.set_password("manokwari", "nobody", "x", false, 30);
    assert!(matches!(r, Err(StorageError::NotFound(_))), "unknown user: NotFound, got {r:?}");
}

pub(super) fn login_events_are_kept_per_typed_tenant(s: &dyn Storage) {
    let event = |at, tenant: &str, username: &str, outcome| LoginEvent {
        id: 0,
        at,
        tenant: tenant.into(),
        username: username.into(),
        client: "192.0.2.7".into(),
        via: LoginVia::Api,
        outcome,
    };
    assert!(s.login_events("manokwari", None, 10).unwrap().is_empty());
    s.log_login(&event(1, "manokwari", "siti", LoginOutcome::BadCredentials)).unwrap();
    s.log_login(&LoginEvent { via: LoginVia::Web, ..event(2, "manokwari", "<img src=x>", LoginOutcome::Locked) })
        .unwrap();
    s.log_login(&event(3, "nowhere", "siti", LoginOutcome::BadCredentials)).unwrap();
    for (at, outcome) in (4..).zip(LoginOutcome::ALL) {
        s.log_login(&event(at, "manokwari", "siti", outcome)).unwrap();
    }
    let all = s.login_events("manokwari", None, 100).unwrap();
    assert_eq!(all.len(), 7, "the tenant's rows only (typed `nowhere` is not this tenant)");
    assert_eq!(all.iter().map(|e| e.at).collect::<Vec<_>>(), vec![8, 7, 6, 5, 4, 2, 1], "newest first");
    assert!(all.windows(2).all(|w| w[0].id > w[1].id), "ids grow with the log");
    // Numbered within the tenant: another tenant's logins leave no gap.
    assert_eq!(all.iter().map(|e| e.id).collect::<Vec<_>>(), vec![7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(s.login_events("nowhere", None, 10).unwrap()[0].id, 1);
    let web = &all[5];
    assert_eq!(
        (web.username.as_str(), web.client.as_str(), web.via, web.outcome),
        ("<img src=x>", "192.0.2.7", LoginVia::Web, LoginOutcome::Locked),
        "kept as typed"
    );
    assert_eq!(
        all.iter().rev().skip(2).map(|e| e.outcome).collect::<Vec<_>>(),
        LoginOutcome::ALL.to_vec(),
        "every outcome reads back"
    );
    let page = s.login_events("manokwari", Some(all[2].id), 2).unwrap();
    assert_eq!(page, all[3..5].to_vec(), "a page: below `before`, at most `limit`");
    assert_eq!(s.login_events("nowhere", None, 10).unwrap().len(), 1);
    assert!(s.login_events("lhokseumawe", None, 10).unwrap().is_empty());
}

pub(super) fn event_windows_can_be_peeked_and_forgotten(s: &dyn Storage) {
    assert_eq!(s.peek_event("k", 10_000).unwrap(), None, "no window");
    s.count_event("k", 1_000, 10_000).unwrap();
    s.count_event("k", 1_000, 10_100).unwrap();
    assert_eq!(s.peek_event("k", 10_200).unwrap(), Some((2, 11_000)), "count and end");
    assert_eq!(s.peek_event("k", 10_300).unwrap(), Some((2, 11_000)), "peeking counts nothing");
    assert_eq!(s.peek_event("k", 11_000).unwrap(), None, "an ended window is none");
    s.count_event("other", 1_000, 10_000).unwrap();
    s.forget_event("k").unwrap();
    assert_eq!(s.peek_event("k", 10_400).unwrap(), None, "forgotten");
    assert_eq!(s.count_event("k", 1_000, 10_500).unwrap(), (1, 11_500), "the next event opens a new window");
    assert_eq!(s.peek_event("other", 10_500).unwrap(), Some((1, 11_000)), "other keys stay");
    s.forget_event("never").unwrap();
}
