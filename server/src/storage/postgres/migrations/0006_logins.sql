-- HR logins (docs/SECURITY.md, "Logins, passwords and tokens"): every token
-- of one login shares its session_id, so logging out, an admin's revocation
-- or a password change removes them all; API logins get rotating refresh
-- tokens (hashed, like every token); a user may have to change a temporary
-- password before logging in; and every login attempt is in the audit log.

ALTER TABLE sessions ADD COLUMN session_id text COLLATE "C";  -- NULL: a login of one token (before)
UPDATE sessions SET session_id = token_hash;
CREATE INDEX sessions_session ON sessions (session_id);
CREATE INDEX sessions_user ON sessions (tenant_id, username);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE refresh_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    session_id text COLLATE "C" NOT NULL,
    tenant_id  text COLLATE "C" NOT NULL,
    username   text COLLATE "C" NOT NULL,
    role       text NOT NULL,
    expires_at bigint NOT NULL,       -- ms: the login's end, the same for every rotation
    used_at    bigint                 -- ms: rotated; presented again, it revokes the login
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (tenant_id, username);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

CREATE TABLE login_events (
    id        bigserial PRIMARY KEY,
    at        bigint NOT NULL,
    tenant_id text COLLATE "C" NOT NULL,  -- as typed
    username  text NOT NULL,              -- as typed
    client    text NOT NULL,
    via       text NOT NULL,              -- api | web
    outcome   text NOT NULL               -- storage::LoginOutcome
);
CREATE INDEX login_events_tenant ON login_events (tenant_id, id);
