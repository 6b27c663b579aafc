//! The login path with the clock in hand: the throttle and its backoff,
//! the same work for unknown users, tokens, the forced password change and
//! the audit rows each attempt leaves.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use prestasi_core::model::Role;

use super::*;
use crate::auth::VERIFICATIONS;
use crate::storage::sqlite::SqliteStorage;
use crate::storage::{AuthStore, LoginEvent, LoginOutcome, LoginVia};

const PASSWORD: &str = "kata-sandi-panjang";
const T0: i64 = 1_800_000_000_000;

fn storage() -> SqliteStorage {
    let s = SqliteStorage::in_memory().unwrap();
    crate::admin::create_tenant(&s, "uji", "Kabupaten Uji").unwrap();
    crate::admin::create_tenant(&s, "lain", "Kabupaten Lain").unwrap();
    crate::admin::create_user(&s, "uji", "siti", PASSWORD, Role::Hr).unwrap();
    crate::admin::create_user(&s, "uji", "root", PASSWORD, Role::Admin).unwrap();
    s
}

fn attempt<'a>(tenant: &'a str, username: &'a str, password: &'a str, client: &'a str) -> Attempt<'a> {
    Attempt { tenant, username, password, client, via: LoginVia::Api }
}

fn siti(password: &str) -> Attempt<'_> {
    attempt("uji", "siti", password, "192.0.2.10")
}

fn verifications() -> u64 {
    VERIFICATIONS.with(std::cell::Cell::get)
}

/// The code, message and `Retry-After` of a refusal.
fn refusal(r: Result<Issued, Refused>) -> (String, String, Option<u64>) {
    let e = r.unwrap_err();
    (e.error.code().to_string(), e.error.to_string(), e.retry_after)
}

fn outcomes(s: &dyn Storage, tenant: &str) -> Vec<(String, LoginOutcome)> {
    let mut rows: Vec<LoginEvent> = s.login_events(tenant, None, 1000).unwrap();
    rows.reverse();
    rows.into_iter().map(|e| (e.username, e.outcome)).collect()
}

#[test]
fn unknown_tenants_and_users_run_the_same_password_hash() {
    let s = storage();
    let cases = [
        ("wrong password", attempt("uji", "siti", "bukan-kata-sandinya", "192.0.2.1")),
        ("unknown user", attempt("uji", "tidak-ada", "bukan-kata-sandinya", "192.0.2.2")),
        ("unknown tenant", attempt("nowhere", "siti", "bukan-kata-sandinya", "192.0.2.3")),
        ("markup as a user", attempt("uji", "<img src=x onerror=alert(1)>", "x", "192.0.2.4")),
        ("empty user", attempt("uji", "", "", "192.0.2.5")),
    ];
    let mut answers = Vec::new();
    for (what, a) in cases {
        let before = verifications();
        let r = login(&s, &a, T0);
        assert_eq!(verifications() - before, 1, "{what}: one Argon2 verification, like any other attempt");
        answers.push(refusal(r));
    }
    let expected = ("bad_credentials".to_string(), "Nama pengguna atau kata sandi salah.".to_string(), None);
    assert!(answers.iter().all(|a| *a == expected), "one answer for all: {answers:?}");
    // The dummy hash costs what a real one costs: the same Argon2 parameters.
    let real = s.user("uji", "siti").unwrap().unwrap().password_hash;
    let params = |h: &str| h.rsplitn(3, '$').nth(2).unwrap().to_string();
    assert_eq!(params(dummy_hash()), params(&real), "same algorithm, version and cost");
    let before = verifications();
    login(&s, &siti(PASSWORD), T0).unwrap();
    assert_eq!(verifications() - before, 1, "and the right password: one verification");

    assert_eq!(
        outcomes(&s, "uji"),
        vec![
            ("siti".into(), LoginOutcome::BadCredentials),
            ("tidak-ada".into(), LoginOutcome::BadCredentials),
            ("<img src=x onerror=alert(1)>".into(), LoginOutcome::BadCredentials),
            ("".into(), LoginOutcome::BadCredentials),
            ("siti".into(), LoginOutcome::Ok),
        ],
        "every attempt is in the audit log, user names as typed"
    );
    let nowhere = s.login_events("nowhere", None, 10).unwrap();
    assert_eq!((nowhere.len(), nowhere[0].client.as_str()), (1, "192.0.2.3"), "an unknown tenant's row, as typed");
}

#[test]
fn wrong_passwords_lock_the_account_and_the_right_one_waits_too() {
    let s = storage();
    for i in 1..ACCOUNT_FAILURES {
        let r = refusal(login(&s, &siti("salah-salah-salah"), T0 + i64::from(i)));
        assert_eq!(r.0, "bad_credentials", "failure {i}");
    }
    let (code, message, retry) = refusal(login(&s, &siti("salah-salah-salah"), T0 + 10));
    assert_eq!(code, "login_locked", "the 5th failure locks");
    assert_eq!(message, "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 1 menit.");
    assert_eq!(retry, Some(60));

    // While locked: the right password is refused the same way, unchecked.
    let before = verifications();
    let (code, message, retry) = refusal(login(&s, &siti(PASSWORD), T0 + 30_010));
    assert_eq!((code.as_str(), retry), ("login_locked", Some(30)), "the right password too");
    assert_eq!(message, "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 30 detik.");
    assert_eq!(refusal(login(&s, &siti("salah"), T0 + 30_010)).0, "login_locked", "and a wrong one: the same");
    assert_eq!(verifications(), before, "no password is checked during a lockout");
    // From another address too: the account is locked.
    let elsewhere = attempt("uji", "siti", PASSWORD, "198.51.100.7");
    assert_eq!(refusal(login(&s, &elsewhere, T0 + 30_010)).0, "login_locked");
    // Another account is not.
    login(&s, &attempt("uji", "root", PASSWORD, "192.0.2.10"), T0 + 30_010).unwrap();

    // Once the window passed, the right password opens, and resets the count.
    login(&s, &siti(PASSWORD), T0 + 10 + LOCK_BASE_MS).unwrap();
    for i in 1..ACCOUNT_FAILURES {
        let at = T0 + LOCK_BASE_MS + 100 + i64::from(i);
        assert_eq!(refusal(login(&s, &siti("salah"), at)).0, "bad_credentials", "counting from 0 again: {i}");
    }

    let rows = outcomes(&s, "uji");
    let siti_rows: Vec<LoginOutcome> = rows.iter().filter(|(u, _)| u == "siti").map(|(_, o)| *o).collect();
    assert_eq!(
        siti_rows[..8],
        [
            LoginOutcome::BadCredentials,
            LoginOutcome::BadCredentials,
            LoginOutcome::BadCredentials,
            LoginOutcome::BadCredentials,
            LoginOutcome::Locked,
            LoginOutcome::Locked,
            LoginOutcome::Locked,
            LoginOutcome::Locked,
        ],
        "the lockout and the attempts it refused are in the audit log"
    );
    assert_eq!(siti_rows[8], LoginOutcome::Ok);
}

#[test]
fn lockouts_back_off_and_a_flood_is_logged_a_little() {
    let s = storage();
    let mut now = T0;
    let lock = |now: i64| -> u64 {
        for i in 0..ACCOUNT_FAILURES {
            let r = login(&s, &siti("salah"), now + i64::from(i));
            if i + 1 < ACCOUNT_FAILURES {
                assert_eq!(refusal(r).0, "bad_credentials");
            } else {
                return refusal(r).2.unwrap();
            }
        }
        unreachable!()
    };
    let mut waits = Vec::new();
    for _ in 0..7 {
        let wait = lock(now);
        waits.push(wait);
        now += i64::try_from(wait).unwrap() * 1000 + 10;
    }
    assert_eq!(waits, vec![60, 120, 240, 480, 960, 1800, 1800], "doubling from 1 minute up to 30");
    assert_eq!(lock_duration(1), LOCK_BASE_MS);
    assert_eq!(lock_duration(40), LOCK_MAX_MS);

    // A flood during a lockout: refused, but only the first rows logged.
    let s = storage();
    lock_in(&s, T0);
    let logged = s.login_events("uji", None, 1000).unwrap().len();
    for i in 0..50 {
        assert_eq!(refusal(login(&s, &siti(PASSWORD), T0 + 100 + i)).0, "login_locked");
    }
    let after = s.login_events("uji", None, 1000).unwrap().len();
    assert_eq!(after - logged, usize::try_from(AUDITED_PER_LOCK).unwrap(), "the first refusals of a lockout");
}

fn lock_in(s: &dyn Storage, at: i64) {
    for i in 0..ACCOUNT_FAILURES {
        let _ = login(s, &siti("salah"), at + i64::from(i));
    }
}

#[test]
fn one_address_trying_many_user_names_is_locked() {
    let s = storage();
    let names: Vec<String> = (0..ADDRESS_FAILURES).map(|i| format!("tebakan-{i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let r = refusal(login(&s, &attempt("uji", name, "123456", "203.0.113.9"), T0 + i64::try_from(i).unwrap()));
        let last = i + 1 == names.len();
        assert_eq!(r.0, if last { "login_locked" } else { "bad_credentials" }, "{name}");
    }
    // Every account from that address waits, the right password too...
    let from_there = attempt("uji", "siti", PASSWORD, "203.0.113.9");
    assert_eq!(refusal(login(&s, &from_there, T0 + 100)).0, "login_locked");
    // ...but not from elsewhere.
    login(&s, &siti(PASSWORD), T0 + 100).unwrap();
    // An IPv6 client is one address per /64.
    let s = storage();
    for i in 0..ADDRESS_FAILURES {
        let client = format!("2001:db8:1:2::{i:x}");
        let _ = login(&s, &attempt("uji", &format!("u{i}"), "x", &client), T0);
    }
    let same_net = attempt("uji", "siti", PASSWORD, "2001:db8:1:2:ffff::1");
    assert_eq!(refusal(login(&s, &same_net, T0 + 1)).0, "login_locked", "the same /64");
}

#[test]
fn tokens_rotate_expire_and_are_revoked() {
    let s = storage();
    let first = login(&s, &siti(PASSWORD), T0).unwrap();
    assert_eq!(first.expires_at, T0 + ACCESS_TTL_MS, "an API access token lasts 15 minutes");
    assert_eq!(first.refresh_expires_at, Some(T0 + REFRESH_TTL_MS), "its login 12 hours");
    let hash = |t: &str| crate::auth::sha256_hex(t);
    assert!(s.session(&hash(&first.token), T0 + ACCESS_TTL_MS - 1).unwrap().is_some());
    assert!(s.session(&hash(&first.token), T0 + ACCESS_TTL_MS).unwrap().is_none(), "and then no more");

    let old_refresh = first.refresh_token.clone().unwrap();
    let second = refresh(&s, &old_refresh, T0 + 10 * 60_000).unwrap();
    assert_ne!(second.token, first.token);
    assert_ne!(second.refresh_token, first.refresh_token, "the refresh token rotates");
    assert_eq!(second.refresh_expires_at, first.refresh_expires_at, "the login does not get longer");
    assert_eq!((second.username.as_str(), second.role), ("siti", Role::Hr));
    // The used refresh token is refused — and revokes the login it belonged to.
    let again = refresh(&s, &old_refresh, T0 + 11 * 60_000).unwrap_err();
    assert_eq!(again.code(), "refresh_invalid");
    assert!(s.session(&hash(&second.token), T0 + 11 * 60_000).unwrap().is_none(), "the copy's login is gone");
    assert_eq!(
        refresh(&s, second.refresh_token.as_deref().unwrap(), T0 + 11 * 60_000).unwrap_err().code(),
        "refresh_invalid"
    );
    // Near the login's end the access token stops with it.
    let late = login(&s, &siti(PASSWORD), T0).unwrap();
    let near_end = refresh(&s, late.refresh_token.as_deref().unwrap(), T0 + REFRESH_TTL_MS - 60_000).unwrap();
    assert_eq!(near_end.expires_at, T0 + REFRESH_TTL_MS);
    assert_eq!(refresh(&s, "tidak-ada", T0).unwrap_err().code(), "refresh_invalid");

    // Logout: the login's access and refresh tokens, even with an access
    // token that ran out.
    let l = login(&s, &siti(PASSWORD), T0).unwrap();
    let later = T0 + ACCESS_TTL_MS + 1;
    assert!(logout(&s, &l.token).unwrap());
    assert_eq!(refresh(&s, l.refresh_token.as_deref().unwrap(), later).unwrap_err().code(), "refresh_invalid");
    assert!(!logout(&s, &l.token).unwrap(), "gone");

    // A web login: one cookie token for the working day, no refresh token.
    let web = login(&s, &Attempt { via: LoginVia::Web, ..siti(PASSWORD) }, T0).unwrap();
    assert_eq!((web.expires_at, web.refresh_token.as_deref()), (T0 + WEB_SESSION_MS, None));
}

#[test]
fn an_admin_resets_a_password_that_must_be_changed_at_the_next_login() {
    let s = storage();
    let api = login(&s, &siti(PASSWORD), T0).unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let web = login(&s, &Attempt { via: LoginVia::Web, ..siti(PASSWORD) }, now).unwrap();
    let refused = |r: Result<u64, AppError>| {
        let e = r.unwrap_err();
        (e.code().to_string(), e.to_string())
    };
    assert_eq!(
        refused(reset_password(&s, "uji", "siti", "aaaaaaaaaa")),
        ("weak_password".into(), "Kata sandi minimal 12 karakter.".into())
    );
    assert_eq!(refused(reset_password(&s, "uji", "siti", "1234567890")).1, "Kata sandi minimal 12 karakter.");
    assert!(
        refused(reset_password(&s, "uji", "siti", "siti-siti-siti")).1.starts_with("Kata sandi terlalu mudah ditebak")
    );
    assert_eq!(refused(reset_password(&s, "uji", "nobody", "sementara-biru-laut")).0, "not_found");
    assert_eq!(reset_password(&s, "uji", "siti", "sementara-biru-laut").unwrap(), 2, "both live logins revoked");
    let h = crate::auth::sha256_hex;
    assert!(s.session(&h(&web.token), now).unwrap().is_none(), "web too");
    assert!(s.session(&h(&api.token), T0).unwrap().is_none(), "and the API login");

    // The temporary password opens nothing but the change.
    let (code, message, _) = refusal(login(&s, &siti("sementara-biru-laut"), T0 + 1));
    assert_eq!(code, "password_change_required");
    assert!(message.starts_with("Kata sandi ini sementara dan harus diganti"), "{message}");
    assert_eq!(refusal(login(&s, &siti(PASSWORD), T0 + 2)).0, "bad_credentials", "the old one is gone");
    let temp = siti("sementara-biru-laut");
    let r = refusal(change_password(&s, &temp, "1234567890", T0 + 3));
    assert_eq!((r.0.as_str(), r.1.as_str()), ("weak_password", "Kata sandi minimal 12 karakter."));
    let r = refusal(change_password(&s, &temp, "sementara-biru-laut", T0 + 3));
    assert_eq!(r.1, "Kata sandi baru harus berbeda dari kata sandi yang sekarang.");
    assert_eq!(refusal(change_password(&s, &siti("salah"), "kopi-arfak-pagi", T0 + 3)).0, "bad_credentials");
    let changed = change_password(&s, &temp, "kopi-arfak-pagi", T0 + 4).unwrap();
    assert!(changed.refresh_token.is_some(), "changed and logged in");
    assert!(!s.must_change_password("uji", "siti").unwrap());
    login(&s, &siti("kopi-arfak-pagi"), T0 + 5).unwrap();
    assert_eq!(refusal(login(&s, &siti("sementara-biru-laut"), T0 + 6)).0, "bad_credentials");

    // Revoking every login of a user: API and web alike.
    let a = login(&s, &siti("kopi-arfak-pagi"), now).unwrap();
    let w = login(&s, &Attempt { via: LoginVia::Web, ..siti("kopi-arfak-pagi") }, now).unwrap();
    assert!(revoke_sessions(&s, "uji", "siti").unwrap() >= 2);
    assert!(s.session(&h(&a.token), now).unwrap().is_none() && s.session(&h(&w.token), now).unwrap().is_none());
    assert_eq!(refresh(&s, a.refresh_token.as_deref().unwrap(), now).unwrap_err().code(), "refresh_invalid");
    assert_eq!(revoke_sessions(&s, "uji", "nobody").unwrap_err().code(), "not_found");

    let mine: Vec<LoginOutcome> =
        outcomes(&s, "uji").into_iter().filter(|(u, _)| u == "siti").map(|(_, o)| o).collect();
    assert!(mine.contains(&LoginOutcome::PasswordChangeRequired) && mine.contains(&LoginOutcome::PasswordChanged));
}
