-- The services a unit offers, curated by HR: the only choices the citizens'
-- form shows (a service typed by one citizen is stored with their feedback
-- but never offered to the next).
CREATE TABLE unit_services (
    tenant_id text COLLATE "C" NOT NULL,
    unit_id   text COLLATE "C" NOT NULL,
    position  integer NOT NULL,
    name      text NOT NULL,
    PRIMARY KEY (tenant_id, unit_id, position)
);
