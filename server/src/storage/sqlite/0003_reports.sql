-- Schema 3: what HR enters for its reports, and the indexes the reports
-- answer from. HR inputs are plain rows, not CRDT documents: they are made
-- online, in the HR pages, and never edited on a tablet.

-- The tenant's rule settings (prestasi_core::rules::RuleSettings as JSON).
CREATE TABLE tenant_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants(id),
    settings  TEXT NOT NULL
);

-- Per unit and period: the unit's own rating (limits its staff's predikat
-- distribution) and the population it served (SKM sample size).
CREATE TABLE unit_periods (
    tenant_id  TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    period     TEXT NOT NULL,
    rating     TEXT,
    population INTEGER,
    PRIMARY KEY (tenant_id, period, unit_id)
) WITHOUT ROWID;

-- Assessed potential (0–100), the 9-box's second axis.
CREATE TABLE potentials (
    tenant_id   TEXT NOT NULL,
    nip         TEXT NOT NULL,
    score       REAL NOT NULL,
    assessed_on TEXT NOT NULL,
    PRIMARY KEY (tenant_id, nip)
) WITHOUT ROWID;

-- Disciplinary sanctions (they exclude from the 9-box for two years).
CREATE TABLE sanctions (
    tenant_id  TEXT NOT NULL,
    nip        TEXT NOT NULL,
    level      TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    note       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, nip, decided_on, level)
) WITHOUT ROWID;

-- Training programmes HR schedules; attendance is a training document
-- whose programme_id names the programme.
CREATE TABLE programmes (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    title       TEXT NOT NULL,
    form        TEXT NOT NULL,
    provider    TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    minutes     INTEGER NOT NULL,
    seats       INTEGER NOT NULL,
    value       TEXT,              -- related BerAKHLAK value, if any
    unit_ids    TEXT NOT NULL,     -- JSON array; empty = the whole tenant
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) WITHOUT ROWID;

-- Seats offered, in priority order, with the reason.
CREATE TABLE programme_seats (
    tenant_id    TEXT NOT NULL,
    programme_id TEXT NOT NULL,
    position     INTEGER NOT NULL,
    nip          TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, programme_id, position)
) WITHOUT ROWID;

-- Report indexes: each report reads an index range, never the whole table.
CREATE INDEX feedback_time ON feedback(tenant_id, received_at, unit_id, service,
    u1, u2, u3, u4, u5, u6, u7, u8, u9, minutes_waited);
CREATE INDEX feedback_officer_time ON feedback(tenant_id, officer_nip, received_at,
    u1, u2, u3, u4, u5, u6, u7, u8, u9) WHERE officer_nip IS NOT NULL;
DROP INDEX feedback_officer;
DROP INDEX appraisals_employee;
CREATE INDEX appraisals_history ON appraisals(tenant_id, employee_nip, period, predikat);
CREATE INDEX appraisals_appraiser ON appraisals(tenant_id, period, appraiser_nip);
CREATE INDEX trainings_period ON trainings(tenant_id, end_date, employee_nip, minutes);
CREATE INDEX trainings_programme ON trainings(tenant_id, programme_id) WHERE programme_id IS NOT NULL;
CREATE INDEX mentoring_mentee ON mentoring(tenant_id, mentee_nip);
