-- Person-level signatures (issue 10). Every change accepted from now on
-- has a row in change_sigs; changes stored before this migration have
-- none and are shown as "tanpa tanda tangan (sebelum tanda tangan
-- diwajibkan)". Nothing already stored is touched.

-- One-time person codes BKPSDM issues to bind a person's key on a device
-- (the enrollment of a device issues one for its enrolled person, usable
-- on that device only).
CREATE TABLE person_codes (
    code_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    person TEXT NOT NULL,
    device_id TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    used_key BLOB
);

-- Public keys bound to a person on one device. `server` marks the
-- server's own key (HR actions, the citizen form), which signs in the
-- name of the officer its change names.
CREATE TABLE signer_keys (
    public_key BLOB PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    person TEXT NOT NULL,
    device_id TEXT NOT NULL,
    server INTEGER NOT NULL DEFAULT 0,
    bound_at INTEGER NOT NULL,
    revoked_at INTEGER,
    revoked_reason TEXT
);
CREATE INDEX signer_keys_person ON signer_keys (tenant_id, person);
CREATE INDEX signer_keys_device ON signer_keys (device_id);

-- The signature that vouches for every accepted change, kept with the
-- document for history and audit: its own, or (signed_hash set) that of the
-- last change of its run (same device and person), which covers it.
CREATE TABLE change_sigs (
    tenant_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    hash BLOB NOT NULL,
    signed_hash BLOB,
    public_key BLOB NOT NULL,
    sig BLOB NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, hash)
) WITHOUT ROWID;
