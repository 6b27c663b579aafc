-- Prestasi server on PostgreSQL, schema 1: the whole schema, written for
-- PostgreSQL (not a replay of the SQLite migrations). Every row belongs to
-- a tenant. Text that is compared or sorted is COLLATE "C", so orders and
-- ranges are bytewise, as in SQLite, whatever the database's locale.
--
-- Documents are automerge snapshots plus change chunks. A chunk's position
-- in the pull order is (tenant_id, seq), seq taken from the tenant's row in
-- tenant_clock inside the writing transaction (see storage::postgres).
-- The merged view (employees, appraisals, feedback, …) is rewritten in the
-- same transaction as every accepted change, from values computed in Rust:
-- nothing here derives a domain value.

CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE tenants (
    id         text COLLATE "C" PRIMARY KEY,
    name       text NOT NULL,
    created_at bigint NOT NULL
);

-- The last position given to a chunk of the tenant. Its row lock, taken by
-- every write transaction of the tenant, is held until commit: a tenant's
-- writers commit in position order, and a reader's snapshot of `seq` is a
-- high-water mark below which every position is committed.
CREATE TABLE tenant_clock (
    tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants (id),
    seq       bigint NOT NULL DEFAULT 0
);

CREATE TABLE users (
    tenant_id     text COLLATE "C" NOT NULL REFERENCES tenants (id),
    username      text COLLATE "C" NOT NULL,
    password_hash text NOT NULL,
    role          text NOT NULL,
    created_at    bigint NOT NULL,
    PRIMARY KEY (tenant_id, username)
);

CREATE TABLE sessions (
    token_hash text COLLATE "C" PRIMARY KEY,
    tenant_id  text NOT NULL,
    username   text NOT NULL,
    role       text NOT NULL,
    expires_at bigint NOT NULL
);

CREATE TABLE enrollments (
    code_hash  text COLLATE "C" PRIMARY KEY,
    tenant_id  text COLLATE "C" NOT NULL REFERENCES tenants (id),
    role       text NOT NULL,
    user_id    text NOT NULL,
    units      text[] NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at    bigint,
    device_id  text
);

CREATE TABLE devices (
    id             text COLLATE "C" PRIMARY KEY,  -- UUID, also the automerge actor
    tenant_id      text COLLATE "C" NOT NULL REFERENCES tenants (id),
    role           text NOT NULL,
    user_id        text NOT NULL,
    units          text[] NOT NULL,
    secret_hash    text NOT NULL,                 -- SHA-256 of a 256-bit random secret
    enrolled_at    bigint NOT NULL,
    revoked_at     bigint,
    revoked_reason text
);
CREATE INDEX devices_tenant ON devices (tenant_id, enrolled_at, id);

CREATE TABLE docs (
    tenant_id     text COLLATE "C" NOT NULL REFERENCES tenants (id),
    id            text COLLATE "C" NOT NULL,
    kind          text COLLATE "C" NOT NULL,
    snapshot      bytea,                          -- compacted changes, NULL until the first compaction
    snapshot_seq  bigint NOT NULL DEFAULT 0,      -- the position of the chunk that was compacted
    chunk_count   bigint NOT NULL DEFAULT 0,
    heads         text NOT NULL,
    unit_id       text COLLATE "C",               -- read scope (sync::access::read_keys)
    appraiser_nip text COLLATE "C",
    reviewer_nip  text COLLATE "C",
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX docs_snapshot_seq ON docs (tenant_id, snapshot_seq) WHERE snapshot IS NOT NULL;
-- A supervisor's pull starts from the documents of its scope.
CREATE INDEX docs_unit ON docs (tenant_id, unit_id, kind);
CREATE INDEX docs_appraiser ON docs (tenant_id, appraiser_nip, kind) WHERE appraiser_nip IS NOT NULL;
CREATE INDEX docs_reviewer ON docs (tenant_id, reviewer_nip, kind) WHERE reviewer_nip IS NOT NULL;

CREATE TABLE chunks (
    tenant_id   text COLLATE "C" NOT NULL,
    seq         bigint NOT NULL,
    doc_id      text COLLATE "C" NOT NULL,
    origin      text NOT NULL,                    -- device id, or 'server'
    received_at bigint NOT NULL,                  -- server clock, ms
    data        bytea NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX chunks_doc ON chunks (tenant_id, doc_id, seq);

-- Signatures ----------------------------------------------------------------

-- One-time person codes that bind a person's key on a device.
CREATE TABLE person_codes (
    code_hash  text COLLATE "C" PRIMARY KEY,
    tenant_id  text COLLATE "C" NOT NULL REFERENCES tenants (id),
    person     text NOT NULL,
    device_id  text,
    created_by text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at    bigint,
    used_key   bytea
);

-- Public keys bound to a person on one device; `server` marks the server's
-- own key.
CREATE TABLE signer_keys (
    public_key     bytea PRIMARY KEY,
    tenant_id      text COLLATE "C" NOT NULL,
    person         text COLLATE "C" NOT NULL,
    device_id      text COLLATE "C" NOT NULL,
    server         boolean NOT NULL DEFAULT false,
    bound_at       bigint NOT NULL,
    revoked_at     bigint,
    revoked_reason text
);
CREATE INDEX signer_keys_person ON signer_keys (tenant_id, person);
CREATE INDEX signer_keys_device ON signer_keys (device_id);
CREATE INDEX signer_keys_server ON signer_keys (bound_at) WHERE server;

-- The signature that vouches for every accepted change: its own, or
-- (signed_hash set) that of the last change of its run.
CREATE TABLE change_sigs (
    tenant_id   text COLLATE "C" NOT NULL,
    doc_id      text COLLATE "C" NOT NULL,
    hash        bytea NOT NULL,
    signed_hash bytea,
    public_key  bytea NOT NULL,
    sig         bytea NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, hash)
);

-- The merged view -----------------------------------------------------------

CREATE TABLE units (
    tenant_id   text COLLATE "C" NOT NULL,
    id          text COLLATE "C" NOT NULL,
    doc_id      text NOT NULL,
    agency_id   text NOT NULL,
    agency_name text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    head_nip    text,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE employees (
    tenant_id        text COLLATE "C" NOT NULL,
    nip              text COLLATE "C" NOT NULL,
    doc_id           text NOT NULL,
    name             text COLLATE "C" NOT NULL,
    unit_id          text COLLATE "C" NOT NULL,
    superior_nip     text,
    rank             text,
    rank_since       text,
    education        text,
    position_kind    text NOT NULL,
    functional_level text,
    position_title   text NOT NULL,
    active           boolean NOT NULL,
    PRIMARY KEY (tenant_id, nip)
);
CREATE INDEX employees_unit ON employees (tenant_id, unit_id);

CREATE TABLE appraisals (
    tenant_id     text COLLATE "C" NOT NULL,
    doc_id        text COLLATE "C" NOT NULL,
    employee_nip  text COLLATE "C" NOT NULL,
    period        text COLLATE "C" NOT NULL,
    unit_id       text COLLATE "C" NOT NULL,
    appraiser_nip text NOT NULL,
    reviewer_nip  text,
    status        text NOT NULL,
    hasil_kerja   text,
    perilaku      text,
    predikat      text,
    notes         text NOT NULL,
    updated_at    bigint NOT NULL,
    -- Evidence counts, as the projection computed them.
    targets       bigint NOT NULL,
    targets_above bigint NOT NULL,
    targets_below bigint NOT NULL,
    innovations   bigint NOT NULL,
    behaviour     jsonb NOT NULL,                 -- BerAKHLAK value key → rating, rated values only
    weak_targets  text[] NOT NULL,                -- indicators rated below expectations, in order
    PRIMARY KEY (tenant_id, doc_id)
);
-- A period's appraisals in report order; the periods, one index step each.
CREATE INDEX appraisals_period ON appraisals (tenant_id, period, unit_id, employee_nip);
-- Talent and promotion read (employee, status, predikat) of a period from
-- the index alone.
CREATE INDEX appraisals_history ON appraisals (tenant_id, period, employee_nip) INCLUDE (status, predikat);

CREATE TABLE appraisal_targets (
    tenant_id   text COLLATE "C" NOT NULL,
    doc_id      text COLLATE "C" NOT NULL,
    position    bigint NOT NULL,
    target_id   text NOT NULL,
    indicator   text NOT NULL,
    target      double precision NOT NULL,
    realisation double precision,
    unit        text NOT NULL,
    main        boolean NOT NULL,
    rating      text,
    PRIMARY KEY (tenant_id, doc_id, position)
);

CREATE TABLE appraisal_behaviour (
    tenant_id text COLLATE "C" NOT NULL,
    doc_id    text COLLATE "C" NOT NULL,
    value     text COLLATE "C" NOT NULL,
    rating    text,
    note      text,
    PRIMARY KEY (tenant_id, doc_id, value)
);

CREATE TABLE appraisal_innovations (
    tenant_id text COLLATE "C" NOT NULL,
    doc_id    text COLLATE "C" NOT NULL,
    item_id   text COLLATE "C" NOT NULL,
    what      text NOT NULL,
    date      text COLLATE "C" NOT NULL,
    effect    text NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, item_id)
);

CREATE TABLE feedback (
    tenant_id      text COLLATE "C" NOT NULL,
    doc_id         text COLLATE "C" NOT NULL,
    unit_id        text COLLATE "C" NOT NULL,
    service        text COLLATE "C" NOT NULL,
    u1 smallint NOT NULL, u2 smallint NOT NULL, u3 smallint NOT NULL,
    u4 smallint NOT NULL, u5 smallint NOT NULL, u6 smallint NOT NULL,
    u7 smallint NOT NULL, u8 smallint NOT NULL, u9 smallint NOT NULL,
    minutes_waited bigint NOT NULL,
    comment        text NOT NULL,
    channel        text NOT NULL,
    submitted_at   text NOT NULL,                 -- device clock
    received_at    bigint NOT NULL,               -- server clock, ms: what reports use
    officer_nip    text COLLATE "C",
    PRIMARY KEY (tenant_id, doc_id)
);
-- Each report reads one index range, from the index alone.
CREATE INDEX feedback_time ON feedback (tenant_id, received_at)
    INCLUDE (unit_id, service, u1, u2, u3, u4, u5, u6, u7, u8, u9, minutes_waited, officer_nip);
CREATE INDEX feedback_officer_time ON feedback (tenant_id, officer_nip, received_at)
    INCLUDE (u1, u2, u3, u4, u5, u6, u7, u8, u9) WHERE officer_nip IS NOT NULL;
CREATE INDEX feedback_unit ON feedback (tenant_id, unit_id, received_at);

CREATE TABLE trainings (
    tenant_id    text COLLATE "C" NOT NULL,
    doc_id       text COLLATE "C" NOT NULL,
    employee_nip text COLLATE "C" NOT NULL,
    form         text NOT NULL,
    title        text NOT NULL,
    provider     text NOT NULL,
    start_date   text COLLATE "C" NOT NULL,
    end_date     text COLLATE "C" NOT NULL,
    minutes      bigint NOT NULL,
    programme_id text COLLATE "C",
    PRIMARY KEY (tenant_id, doc_id)
);
CREATE INDEX trainings_period ON trainings (tenant_id, end_date) INCLUDE (employee_nip, minutes);
CREATE INDEX trainings_programme ON trainings (tenant_id, programme_id) WHERE programme_id IS NOT NULL;

CREATE TABLE mentoring (
    tenant_id  text COLLATE "C" NOT NULL,
    doc_id     text COLLATE "C" NOT NULL,
    mentor_nip text COLLATE "C" NOT NULL,
    mentee_nip text COLLATE "C" NOT NULL,
    unit_id    text COLLATE "C" NOT NULL,
    start_date text NOT NULL,
    active     boolean NOT NULL,
    sessions   bigint NOT NULL,
    minutes    bigint NOT NULL,
    PRIMARY KEY (tenant_id, doc_id)
);
CREATE INDEX mentoring_mentee ON mentoring (tenant_id, mentee_nip);

CREATE TABLE conflicts (
    tenant_id text COLLATE "C" NOT NULL,
    doc_id    text COLLATE "C" NOT NULL,
    path      text COLLATE "C" NOT NULL,
    doc_kind  text NOT NULL,
    detail    jsonb NOT NULL,                     -- the concurrent values and their authors
    PRIMARY KEY (tenant_id, doc_id, path)
);

-- What HR enters for its reports --------------------------------------------

-- The tenant's rule settings (prestasi_core::rules::RuleSettings as JSON,
-- kept as the text HR saved).
CREATE TABLE tenant_settings (
    tenant_id text COLLATE "C" PRIMARY KEY REFERENCES tenants (id),
    settings  text NOT NULL
);

CREATE TABLE unit_periods (
    tenant_id  text COLLATE "C" NOT NULL,
    unit_id    text COLLATE "C" NOT NULL,
    period     text COLLATE "C" NOT NULL,
    rating     text,
    population bigint,
    PRIMARY KEY (tenant_id, period, unit_id)
);

CREATE TABLE potentials (
    tenant_id   text COLLATE "C" NOT NULL,
    nip         text COLLATE "C" NOT NULL,
    score       double precision NOT NULL,
    assessed_on text NOT NULL,
    PRIMARY KEY (tenant_id, nip)
);

CREATE TABLE sanctions (
    tenant_id  text COLLATE "C" NOT NULL,
    nip        text COLLATE "C" NOT NULL,
    level      text COLLATE "C" NOT NULL,
    decided_on text COLLATE "C" NOT NULL,
    note       text NOT NULL,
    PRIMARY KEY (tenant_id, nip, decided_on, level)
);

CREATE TABLE programmes (
    tenant_id  text COLLATE "C" NOT NULL,
    id         text COLLATE "C" NOT NULL,
    title      text NOT NULL,
    form       text NOT NULL,
    provider   text NOT NULL,
    start_date text COLLATE "C" NOT NULL,
    end_date   text NOT NULL,
    minutes    bigint NOT NULL,
    seats      bigint NOT NULL,
    value      text,                              -- related BerAKHLAK value, if any
    unit_ids   text[] NOT NULL,                   -- empty: the whole tenant
    created_at bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE programme_seats (
    tenant_id    text COLLATE "C" NOT NULL,
    programme_id text COLLATE "C" NOT NULL,
    position     bigint NOT NULL,
    nip          text NOT NULL,
    reason       text NOT NULL,
    PRIMARY KEY (tenant_id, programme_id, position)
);
