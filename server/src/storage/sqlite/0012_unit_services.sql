-- The services a unit offers, curated by HR: the only choices the citizens'
-- form shows (a service typed by one citizen is stored with their feedback
-- but never offered to the next).
CREATE TABLE unit_services (
    tenant_id TEXT NOT NULL,
    unit_id   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, unit_id, position)
) WITHOUT ROWID;
