//! [`AuthStore`] for SQLite: writes on the writer (one transaction each),
//! reads on a reader.

use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStorage;
use crate::storage::auth::{event_kinds, role_of};
use crate::storage::{AuthStore, LoginEvent, NewLogin, Refreshed, Rotation, SessionRow, StorageError};

type R<T> = Result<T, StorageError>;

fn insert_access(c: &Connection, session_id: &str, s: &SessionRow) -> R<()> {
    c.prepare_cached(
        "INSERT INTO sessions (token_hash, tenant_id, username, role, expires_at, session_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![s.token_hash, s.tenant_id, s.username, s.role.as_str(), s.expires_at, session_id])?;
    Ok(())
}

fn revoke_session(c: &Connection, session_id: &str) -> R<()> {
    c.execute("DELETE FROM sessions WHERE session_id = ?1", [session_id])?;
    c.execute("DELETE FROM refresh_tokens WHERE session_id = ?1", [session_id])?;
    Ok(())
}

/// Revoke every login of a user; how many were live at `now`.
fn revoke_user(c: &Connection, tenant: &str, username: &str, now: i64) -> R<u64> {
    let live: i64 = c.query_row(
        "SELECT count(*) FROM (
             SELECT coalesce(session_id, token_hash) FROM sessions
             WHERE tenant_id = ?1 AND username = ?2 AND expires_at > ?3
             UNION
             SELECT session_id FROM refresh_tokens
             WHERE tenant_id = ?1 AND username = ?2 AND expires_at > ?3 AND used_at IS NULL)",
        params![tenant, username, now],
        |r| r.get(0),
    )?;
    c.execute("DELETE FROM sessions WHERE tenant_id = ?1 AND username = ?2", params![tenant, username])?;
    c.execute("DELETE FROM refresh_tokens WHERE tenant_id = ?1 AND username = ?2", params![tenant, username])?;
    Ok(u64::try_from(live).unwrap_or(0))
}

impl AuthStore for SqliteStorage {
    fn create_login(&self, login: &NewLogin, forget_before: i64) -> R<()> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        tx.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")?.execute([forget_before])?;
        tx.prepare_cached("DELETE FROM refresh_tokens WHERE expires_at <= ?1")?.execute([forget_before])?;
        insert_access(&tx, &login.session_id, &login.access)?;
        if let Some(r) = &login.refresh {
            let a = &login.access;
            tx.prepare_cached(
                "INSERT INTO refresh_tokens (token_hash, session_id, tenant_id, username, role, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                r.token_hash,
                login.session_id,
                a.tenant_id,
                a.username,
                a.role.as_str(),
                r.expires_at
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    fn refresh_login(&self, refresh_hash: &str, next: &Rotation, now: i64) -> R<Refreshed> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        let found = tx
            .query_row(
                "SELECT session_id, tenant_id, username, role, expires_at, used_at FROM refresh_tokens
                 WHERE token_hash = ?1",
                [refresh_hash],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((session_id, tenant_id, username, role, expires_at, used_at)) = found else {
            return Ok(Refreshed::Invalid);
        };
        if expires_at <= now {
            return Ok(Refreshed::Invalid);
        }
        if used_at.is_some() {
            revoke_session(&tx, &session_id)?;
            tx.commit()?;
            return Ok(Refreshed::Reused);
        }
        tx.execute("UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1", params![refresh_hash, now])?;
        tx.execute(
            "INSERT INTO refresh_tokens (token_hash, session_id, tenant_id, username, role, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![next.refresh_hash, session_id, tenant_id, username, role, expires_at],
        )?;
        let access = SessionRow {
            token_hash: next.access_hash.clone(),
            tenant_id,
            username,
            role: role_of(&role)?,
            expires_at: next.access_expires_at.min(expires_at),
        };
        insert_access(&tx, &session_id, &access)?;
        tx.commit()?;
        Ok(Refreshed::Rotated { access, refresh_expires_at: expires_at })
    }

    fn revoke_login(&self, token_hash: &str) -> R<bool> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        let found: Option<Option<String>> = tx
            .query_row("SELECT session_id FROM sessions WHERE token_hash = ?1", [token_hash], |r| r.get(0))
            .optional()?;
        let Some(session_id) = found else { return Ok(false) };
        tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        if let Some(id) = session_id {
            revoke_session(&tx, &id)?;
        }
        tx.commit()?;
        Ok(true)
    }

    fn revoke_user_logins(&self, tenant: &str, username: &str, now: i64) -> R<u64> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        let n = revoke_user(&tx, tenant, username, now)?;
        tx.commit()?;
        Ok(n)
    }

    fn set_password(&self, tenant: &str, username: &str, hash: &str, must_change: bool, now: i64) -> R<u64> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        let n = tx.execute(
            "UPDATE users SET password_hash = ?3, must_change_password = ?4 WHERE tenant_id = ?1 AND username = ?2",
            params![tenant, username, hash, must_change],
        )?;
        if n == 0 {
            return Err(StorageError::NotFound(format!("user {username}")));
        }
        let revoked = revoke_user(&tx, tenant, username, now)?;
        tx.commit()?;
        Ok(revoked)
    }

    fn must_change_password(&self, tenant: &str, username: &str) -> R<bool> {
        self.with_reader(|c| {
            Ok(c.query_row(
                "SELECT must_change_password FROM users WHERE tenant_id = ?1 AND username = ?2",
                params![tenant, username],
                |r| r.get::<_, bool>(0),
            )
            .optional()?
            .unwrap_or(false))
        })
    }

    fn log_login(&self, e: &LoginEvent) -> R<()> {
        self.writer()
            .prepare_cached(
                "INSERT INTO login_events (at, tenant_id, username, client, via, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![e.at, e.tenant, e.username, e.client, e.via.as_str(), e.outcome.as_str()])?;
        Ok(())
    }

    fn login_events(&self, tenant: &str, before: Option<u64>, limit: u32) -> R<Vec<LoginEvent>> {
        let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        self.with_reader(|c| {
            let mut stmt = c.prepare_cached(
                // Numbered within the tenant (1, 2, 3…): the table's own id
                // counts every tenant's logins and would tell one regency's
                // admin how many the others had in between.
                "SELECT n, at, username, client, via, outcome FROM (
                     SELECT ROW_NUMBER() OVER (ORDER BY id) AS n, at, username, client, via, outcome
                     FROM login_events WHERE tenant_id = ?1)
                 WHERE n < ?2 ORDER BY n DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![tenant, before, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, at, username, client, via, outcome) = row?;
                let (via, outcome) = event_kinds(&via, &outcome)?;
                let id = u64::try_from(id).unwrap_or(0);
                out.push(LoginEvent { id, at, tenant: tenant.into(), username, client, via, outcome });
            }
            Ok(out)
        })
    }

    fn peek_event(&self, key: &str, now: i64) -> R<Option<(u32, i64)>> {
        // The writer: the window was just counted there, and a reader of an
        // in-memory database is the writer anyway.
        let row: Option<(i64, i64)> = self
            .writer()
            .prepare_cached("SELECT count, until FROM rate_windows WHERE key = ?1 AND until > ?2")?
            .query_row(params![key, now], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.map(|(count, until)| (u32::try_from(count).unwrap_or(u32::MAX), until)))
    }

    fn forget_event(&self, key: &str) -> R<()> {
        self.writer().prepare_cached("DELETE FROM rate_windows WHERE key = ?1")?.execute([key])?;
        Ok(())
    }
}
