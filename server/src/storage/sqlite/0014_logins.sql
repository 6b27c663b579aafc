-- Schema 14: HR logins (docs/SECURITY.md, "Logins, passwords and tokens").
-- Every token of one login shares its session_id, so logging out, an
-- admin's revocation or a password change removes them all; API logins get
-- rotating refresh tokens (hashed, like every token); a user may have to
-- change a temporary password before logging in; and every login attempt
-- is in the audit log.

ALTER TABLE sessions ADD COLUMN session_id TEXT;   -- NULL: a login of one token (before schema 14)
UPDATE sessions SET session_id = token_hash;
CREATE INDEX sessions_session ON sessions(session_id);
CREATE INDEX sessions_user ON sessions(tenant_id, username);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    username   TEXT NOT NULL,
    role       TEXT NOT NULL,
    expires_at INTEGER NOT NULL,      -- ms: the login's end, the same for every rotation
    used_at    INTEGER                -- ms: rotated; presented again, it revokes the login
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(tenant_id, username);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);

ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

CREATE TABLE login_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,          -- as typed
    username  TEXT NOT NULL,          -- as typed
    client    TEXT NOT NULL,
    via       TEXT NOT NULL,          -- api | web
    outcome   TEXT NOT NULL           -- storage::LoginOutcome
);
CREATE INDEX login_events_tenant ON login_events(tenant_id, id);
