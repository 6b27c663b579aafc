-- Prestasi on-device store, schema 1.
-- Documents are stored as an automerge snapshot plus incremental chunks;
-- the sync markers live in the same row, written in the same transaction
-- as the change they describe. The projection tables below are derived
-- from the documents and rebuilt on every write of a document.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE documents (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    snapshot      BLOB NOT NULL,            -- automerge save()
    chunk_count   INTEGER NOT NULL DEFAULT 0,
    heads         TEXT NOT NULL,            -- current heads, hex, comma-separated, sorted
    local_changes INTEGER NOT NULL,         -- 1: changes the server has not acknowledged
    server_heads  TEXT,                     -- heads the server last acknowledged
    rejected_code TEXT,                     -- set when the server refused our changes
    rejected_reason TEXT,
    conflicts     INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL          -- device clock, ms since epoch
);
CREATE INDEX documents_kind ON documents(kind);
CREATE INDEX documents_pending ON documents(local_changes) WHERE local_changes = 1;

-- Incremental automerge changes since the snapshot, in write order.
CREATE TABLE chunks (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BLOB NOT NULL,
    PRIMARY KEY (doc_id, seq)
) WITHOUT ROWID;

CREATE TABLE employees (
    doc_id       TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    nip          TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    superior_nip TEXT,
    position     TEXT NOT NULL,
    rank         TEXT,
    active       INTEGER NOT NULL
);
CREATE INDEX employees_superior ON employees(superior_nip);
CREATE INDEX employees_unit ON employees(unit_id);

CREATE TABLE units (
    doc_id    TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    unit_id   TEXT NOT NULL UNIQUE,
    agency_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    head_nip  TEXT
);

CREATE TABLE appraisals (
    doc_id        TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    employee_nip  TEXT NOT NULL,
    period        TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    appraiser_nip TEXT NOT NULL,
    reviewer_nip  TEXT,
    status        TEXT NOT NULL,
    predikat      TEXT
);
CREATE INDEX appraisals_employee ON appraisals(employee_nip, period);
CREATE INDEX appraisals_status ON appraisals(status, period);

CREATE TABLE feedback (
    doc_id       TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    unit_id      TEXT NOT NULL,
    service      TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    officer_nip  TEXT
);

CREATE TABLE trainings (
    doc_id       TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    employee_nip TEXT NOT NULL,
    form         TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    minutes      INTEGER NOT NULL
);
CREATE INDEX trainings_employee ON trainings(employee_nip, end_date);

CREATE TABLE mentoring (
    doc_id     TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    mentor_nip TEXT NOT NULL,
    mentee_nip TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    active     INTEGER NOT NULL,
    sessions   INTEGER NOT NULL
);

CREATE TABLE decisions (
    doc_id       TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    employee_nip TEXT NOT NULL,
    period       TEXT NOT NULL,
    summary      TEXT NOT NULL
);
