-- Schema 11: a revoked device that wiped itself, and the audit trail of a
-- device's life after revocation (its wipe, HR importing its wipe bundle).

ALTER TABLE devices ADD COLUMN wiped_at INTEGER;

CREATE TABLE device_events (
    device_id TEXT NOT NULL REFERENCES devices(id),
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    event     TEXT NOT NULL,
    actor     TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX device_events_device ON device_events(device_id, seq);
