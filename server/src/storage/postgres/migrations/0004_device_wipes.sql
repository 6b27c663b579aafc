-- A revoked device that wiped itself, and the audit trail of a device's life
-- after revocation (its wipe, HR importing its wipe bundle).

ALTER TABLE devices ADD COLUMN wiped_at bigint;

CREATE TABLE device_events (
    seq       bigserial PRIMARY KEY,
    device_id text COLLATE "C" NOT NULL REFERENCES devices(id),
    at        bigint NOT NULL,
    event     text NOT NULL,
    actor     text NOT NULL,
    detail    text NOT NULL
);
CREATE INDEX device_events_device ON device_events (device_id, seq);
