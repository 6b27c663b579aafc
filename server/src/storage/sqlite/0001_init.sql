-- Prestasi server, schema 1. Every row belongs to a tenant; documents are
-- automerge snapshots plus change chunks, each chunk numbered by a global
-- sequence that is the devices' pull cursor. The merged view (employees,
-- appraisals, feedback, …) is rewritten in the same transaction as every
-- accepted change, so HR queries never load CRDT documents.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    username      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, username)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    username   TEXT NOT NULL,
    role       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE enrollments (
    code_hash  TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    role       TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    units      TEXT NOT NULL,          -- JSON array of unit ids
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    device_id  TEXT
);

CREATE TABLE devices (
    id             TEXT PRIMARY KEY,   -- UUID, also the automerge actor
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    role           TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    units          TEXT NOT NULL,      -- JSON array of unit ids
    secret_hash    TEXT NOT NULL,      -- SHA-256 of a 256-bit random secret
    enrolled_at    INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_reason TEXT
);
CREATE INDEX devices_tenant ON devices(tenant_id);

CREATE TABLE docs (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    id            TEXT NOT NULL,
    kind          TEXT NOT NULL,
    snapshot      BLOB,                -- compacted changes, NULL until the first compaction
    snapshot_seq  INTEGER NOT NULL DEFAULT 0,
    chunk_count   INTEGER NOT NULL DEFAULT 0,
    heads         TEXT NOT NULL,
    unit_id       TEXT,                -- read scope
    appraiser_nip TEXT,
    reviewer_nip  TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX docs_snapshot_seq ON docs(tenant_id, snapshot_seq);

CREATE TABLE chunks (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    origin      TEXT NOT NULL,         -- device id, or 'server'
    received_at INTEGER NOT NULL,      -- server clock, ms
    data        BLOB NOT NULL
);
CREATE INDEX chunks_doc ON chunks(tenant_id, doc_id, seq);
CREATE INDEX chunks_tenant_seq ON chunks(tenant_id, seq);

-- The merged view ---------------------------------------------------------

CREATE TABLE units (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    agency_id   TEXT NOT NULL,
    agency_name TEXT NOT NULL,
    name        TEXT NOT NULL,
    head_nip    TEXT,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;

CREATE TABLE employees (
    tenant_id        TEXT NOT NULL,
    nip              TEXT NOT NULL,
    doc_id           TEXT NOT NULL,
    name             TEXT NOT NULL,
    unit_id          TEXT NOT NULL,
    superior_nip     TEXT,
    rank             TEXT,
    rank_since       TEXT,
    education        TEXT,
    position_kind    TEXT NOT NULL,
    functional_level TEXT,
    position_title   TEXT NOT NULL,
    active           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, nip)
) WITHOUT ROWID;
CREATE INDEX employees_unit ON employees(tenant_id, unit_id);

CREATE TABLE appraisals (
    tenant_id     TEXT NOT NULL,
    doc_id        TEXT NOT NULL,
    employee_nip  TEXT NOT NULL,
    period        TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    appraiser_nip TEXT NOT NULL,
    reviewer_nip  TEXT,
    status        TEXT NOT NULL,
    hasil_kerja   TEXT,
    perilaku      TEXT,
    predikat      TEXT,
    notes         TEXT NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX appraisals_period ON appraisals(tenant_id, period, unit_id);
CREATE INDEX appraisals_employee ON appraisals(tenant_id, employee_nip, period);

CREATE TABLE appraisal_targets (
    tenant_id   TEXT NOT NULL,
    doc_id      TEXT NOT NULL,
    position    INTEGER NOT NULL,
    target_id   TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    target      REAL NOT NULL,
    realisation REAL,
    unit        TEXT NOT NULL,
    main        INTEGER NOT NULL,
    rating      TEXT,
    PRIMARY KEY (tenant_id, doc_id, position)
) WITHOUT ROWID;

CREATE TABLE appraisal_behaviour (
    tenant_id TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    value     TEXT NOT NULL,
    rating    TEXT,
    note      TEXT,
    PRIMARY KEY (tenant_id, doc_id, value)
) WITHOUT ROWID;

CREATE TABLE appraisal_innovations (
    tenant_id TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    what      TEXT NOT NULL,
    date      TEXT NOT NULL,
    effect    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, item_id)
) WITHOUT ROWID;

CREATE TABLE feedback (
    tenant_id      TEXT NOT NULL,
    doc_id         TEXT NOT NULL,
    unit_id        TEXT NOT NULL,
    service        TEXT NOT NULL,
    u1 INTEGER NOT NULL, u2 INTEGER NOT NULL, u3 INTEGER NOT NULL,
    u4 INTEGER NOT NULL, u5 INTEGER NOT NULL, u6 INTEGER NOT NULL,
    u7 INTEGER NOT NULL, u8 INTEGER NOT NULL, u9 INTEGER NOT NULL,
    minutes_waited INTEGER NOT NULL,
    comment        TEXT NOT NULL,
    channel        TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,      -- device clock
    received_at    INTEGER NOT NULL,   -- server clock, ms: what reports use
    officer_nip    TEXT,
    PRIMARY KEY (tenant_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX feedback_unit ON feedback(tenant_id, unit_id, received_at);
CREATE INDEX feedback_officer ON feedback(tenant_id, officer_nip) WHERE officer_nip IS NOT NULL;

CREATE TABLE trainings (
    tenant_id    TEXT NOT NULL,
    doc_id       TEXT NOT NULL,
    employee_nip TEXT NOT NULL,
    form         TEXT NOT NULL,
    title        TEXT NOT NULL,
    provider     TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    minutes      INTEGER NOT NULL,
    programme_id TEXT,
    PRIMARY KEY (tenant_id, doc_id)
) WITHOUT ROWID;
CREATE INDEX trainings_employee ON trainings(tenant_id, employee_nip, end_date);

CREATE TABLE mentoring (
    tenant_id  TEXT NOT NULL,
    doc_id     TEXT NOT NULL,
    mentor_nip TEXT NOT NULL,
    mentee_nip TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    start_date TEXT NOT NULL,
    active     INTEGER NOT NULL,
    sessions   INTEGER NOT NULL,
    minutes    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, doc_id)
) WITHOUT ROWID;

CREATE TABLE decisions (
    tenant_id    TEXT NOT NULL,
    doc_id       TEXT NOT NULL,
    kind         TEXT NOT NULL,        -- allowance | award
    employee_nip TEXT NOT NULL,
    period       TEXT NOT NULL,
    detail       TEXT NOT NULL,        -- JSON of the decision
    PRIMARY KEY (tenant_id, doc_id)
) WITHOUT ROWID;

CREATE TABLE conflicts (
    tenant_id TEXT NOT NULL,
    doc_id    TEXT NOT NULL,
    path      TEXT NOT NULL,
    doc_kind  TEXT NOT NULL,
    detail    TEXT NOT NULL,           -- JSON: the concurrent values and their authors
    PRIMARY KEY (tenant_id, doc_id, path)
) WITHOUT ROWID;
