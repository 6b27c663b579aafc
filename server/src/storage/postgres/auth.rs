//! [`AuthStore`] for PostgreSQL: one statement or one transaction each. A
//! refresh locks its token's row (`FOR UPDATE`), so of two instances
//! presenting one token at once, one rotates it and the other finds it used.

use postgres::GenericClient;

use super::{PostgresStorage, get};
use crate::storage::auth::{event_kinds, role_of};
use crate::storage::{AuthStore, LoginEvent, NewLogin, Refreshed, Rotation, SessionRow, StorageError};

type R<T> = Result<T, StorageError>;

fn insert_access(c: &mut impl GenericClient, session_id: &str, s: &SessionRow) -> R<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, tenant_id, username, role, expires_at, session_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&s.token_hash, &s.tenant_id, &s.username, &s.role.as_str(), &s.expires_at, &session_id],
    )?;
    Ok(())
}

fn revoke_session(c: &mut impl GenericClient, session_id: &str) -> R<()> {
    c.execute("DELETE FROM sessions WHERE session_id = $1", &[&session_id])?;
    c.execute("DELETE FROM refresh_tokens WHERE session_id = $1", &[&session_id])?;
    Ok(())
}

/// Revoke every login of a user; how many were live at `now`.
fn revoke_user(c: &mut impl GenericClient, tenant: &str, username: &str, now: i64) -> R<u64> {
    let live: i64 = get(
        &c.query_one(
            "SELECT count(*) FROM (
                 SELECT coalesce(session_id, token_hash) FROM sessions
                 WHERE tenant_id = $1 AND username = $2 AND expires_at > $3
                 UNION
                 SELECT session_id FROM refresh_tokens
                 WHERE tenant_id = $1 AND username = $2 AND expires_at > $3 AND used_at IS NULL) AS live",
            &[&tenant, &username, &now],
        )?,
        0,
    )?;
    c.execute("DELETE FROM sessions WHERE tenant_id = $1 AND username = $2", &[&tenant, &username])?;
    c.execute("DELETE FROM refresh_tokens WHERE tenant_id = $1 AND username = $2", &[&tenant, &username])?;
    Ok(u64::try_from(live).unwrap_or(0))
}

impl AuthStore for PostgresStorage {
    fn create_login(&self, login: &NewLogin, forget_before: i64) -> R<()> {
        self.transaction(|tx| {
            tx.execute("DELETE FROM sessions WHERE expires_at <= $1", &[&forget_before])?;
            tx.execute("DELETE FROM refresh_tokens WHERE expires_at <= $1", &[&forget_before])?;
            insert_access(tx, &login.session_id, &login.access)?;
            if let Some(r) = &login.refresh {
                let a = &login.access;
                tx.execute(
                    "INSERT INTO refresh_tokens (token_hash, session_id, tenant_id, username, role, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    &[&r.token_hash, &login.session_id, &a.tenant_id, &a.username, &a.role.as_str(), &r.expires_at],
                )?;
            }
            Ok(())
        })
    }

    fn refresh_login(&self, refresh_hash: &str, next: &Rotation, now: i64) -> R<Refreshed> {
        self.transaction(|tx| {
            let Some(r) = tx.query_opt(
                "SELECT session_id, tenant_id, username, role, expires_at, used_at FROM refresh_tokens
                 WHERE token_hash = $1 FOR UPDATE",
                &[&refresh_hash],
            )?
            else {
                return Ok(Refreshed::Invalid);
            };
            let (session_id, tenant_id, username): (String, String, String) = (get(&r, 0)?, get(&r, 1)?, get(&r, 2)?);
            let (role, expires_at, used_at): (String, i64, Option<i64>) = (get(&r, 3)?, get(&r, 4)?, get(&r, 5)?);
            if expires_at <= now {
                return Ok(Refreshed::Invalid);
            }
            if used_at.is_some() {
                revoke_session(tx, &session_id)?;
                return Ok(Refreshed::Reused);
            }
            tx.execute("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1", &[&refresh_hash, &now])?;
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, tenant_id, username, role, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&next.refresh_hash, &session_id, &tenant_id, &username, &role, &expires_at],
            )?;
            let access = SessionRow {
                token_hash: next.access_hash.clone(),
                tenant_id,
                username,
                role: role_of(&role)?,
                expires_at: next.access_expires_at.min(expires_at),
            };
            insert_access(tx, &session_id, &access)?;
            Ok(Refreshed::Rotated { access, refresh_expires_at: expires_at })
        })
    }

    fn revoke_login(&self, token_hash: &str) -> R<bool> {
        self.transaction(|tx| {
            let Some(r) = tx.query_opt("SELECT session_id FROM sessions WHERE token_hash = $1", &[&token_hash])? else {
                return Ok(false);
            };
            let session_id: Option<String> = get(&r, 0)?;
            tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
            if let Some(id) = session_id {
                revoke_session(tx, &id)?;
            }
            Ok(true)
        })
    }

    fn revoke_user_logins(&self, tenant: &str, username: &str, now: i64) -> R<u64> {
        self.transaction(|tx| revoke_user(tx, tenant, username, now))
    }

    fn set_password(&self, tenant: &str, username: &str, hash: &str, must_change: bool, now: i64) -> R<u64> {
        self.transaction(|tx| {
            let n = tx.execute(
                "UPDATE users SET password_hash = $3, must_change_password = $4 WHERE tenant_id = $1 AND username = $2",
                &[&tenant, &username, &hash, &must_change],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound(format!("user {username}")));
            }
            revoke_user(tx, tenant, username, now)
        })
    }

    fn must_change_password(&self, tenant: &str, username: &str) -> R<bool> {
        self.with_conn(|c| {
            let row = c.query_opt(
                "SELECT must_change_password FROM users WHERE tenant_id = $1 AND username = $2",
                &[&tenant, &username],
            )?;
            row.map_or(Ok(false), |r| get(&r, 0))
        })
    }

    fn log_login(&self, e: &LoginEvent) -> R<()> {
        self.with_conn(|c| {
            c.execute(
                "INSERT INTO login_events (at, tenant_id, username, client, via, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&e.at, &e.tenant, &e.username, &e.client, &e.via.as_str(), &e.outcome.as_str()],
            )?;
            Ok(())
        })
    }

    fn login_events(&self, tenant: &str, before: Option<u64>, limit: u32) -> R<Vec<LoginEvent>> {
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        self.with_conn(|c| {
            c.query(
                // Numbered within the tenant (1, 2, 3…): the table's own id
                // counts every tenant's logins and would tell one regency's
                // admin how many the others had in between.
                "SELECT n, at, username, client, via, outcome FROM (
                     SELECT ROW_NUMBER() OVER (ORDER BY id) AS n, at, username, client, via, outcome
                     FROM login_events WHERE tenant_id = $1) AS numbered
                 WHERE n < $2 ORDER BY n DESC LIMIT $3",
                &[&tenant, &before, &i64::from(limit)],
            )?
            .iter()
            .map(|r| {
                let (via, outcome) = event_kinds(get(r, 4)?, get(r, 5)?)?;
                Ok(LoginEvent {
                    id: u64::try_from(get::<i64>(r, 0)?).unwrap_or(0),
                    at: get(r, 1)?,
                    tenant: tenant.into(),
                    username: get(r, 2)?,
                    client: get(r, 3)?,
                    via,
                    outcome,
                })
            })
            .collect()
        })
    }

    fn peek_event(&self, key: &str, now: i64) -> R<Option<(u32, i64)>> {
        self.with_conn(|c| {
            let row =
                c.query_opt("SELECT count, until FROM rate_windows WHERE key = $1 AND until > $2", &[&key, &now])?;
            row.map(|r| Ok((u32::try_from(get::<i32>(&r, 0)?).unwrap_or(0), get(&r, 1)?))).transpose()
        })
    }

    fn forget_event(&self, key: &str) -> R<()> {
        self.with_conn(|c| {
            c.execute("DELETE FROM rate_windows WHERE key = $1", &[&key])?;
            Ok(())
        })
    }
}
