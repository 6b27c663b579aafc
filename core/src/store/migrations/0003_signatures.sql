-- Person keys on this device: one Ed25519 key per person who signed in
-- here, its private half sealed under the person's PIN (Argon2id +
-- ChaCha20-Poly1305). `status`: pending (not yet bound on the server),
-- bound, revoked (the server refused or revoked it: the seal is wiped).
CREATE TABLE signers (
    person TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    salt BLOB,
    nonce BLOB,
    sealed BLOB,
    status TEXT NOT NULL DEFAULT 'pending',
    -- The one-time person code from BKPSDM, sent with the next sync to
    -- bind the key; cleared once the server answers.
    bind_code TEXT,
    -- The key's proof of possession for that binding, made when the code
    -- was entered (the key is open then; it may be closed at sync time).
    bind_proof BLOB,
    status_message TEXT,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    retry_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- The signature of every change made on this device, written in the same
-- transaction as the change. `n` orders a document's changes; `run_end` is
-- set on the last of consecutive changes signed by one key: only those are
-- sent, since each covers its run (the earlier changes are its ancestors).
CREATE TABLE change_signatures (
    doc_id TEXT NOT NULL,
    hash BLOB NOT NULL,
    public_key BLOB NOT NULL,
    sig BLOB NOT NULL,
    n INTEGER NOT NULL,
    run_end INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (doc_id, hash)
) WITHOUT ROWID;
CREATE INDEX change_signatures_order ON change_signatures (doc_id, n);
