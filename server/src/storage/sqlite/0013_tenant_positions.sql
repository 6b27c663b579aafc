-- Schema 13: pull positions per tenant. Until now a chunk's position was one
-- global AUTOINCREMENT sequence: a device's cursor, and the gaps between the
-- positions it was given, told it how much every other tenant had written.
-- Now each tenant's chunks are numbered 1, 2, 3, … in its own commit order
-- from its row in tenant_clock, which the one writer advances inside the
-- writing transaction (storage::sqlite::docs), as on PostgreSQL.

CREATE TABLE tenant_clock (
    tenant_id TEXT PRIMARY KEY,
    seq       INTEGER NOT NULL        -- the tenant's highest position handed out
) WITHOUT ROWID;

-- Every position a tenant still holds (its chunks, and the compaction points
-- its documents keep as snapshot_seq: the folded chunks are gone), ranked in
-- the old order, which was the commit order.
CREATE TEMP TABLE renumbered AS
    SELECT tenant_id, old, row_number() OVER (PARTITION BY tenant_id ORDER BY old) AS new
    FROM (SELECT tenant_id, seq AS old FROM chunks
          UNION
          SELECT tenant_id, snapshot_seq FROM docs WHERE snapshot_seq > 0);
CREATE UNIQUE INDEX temp.renumbered_old ON renumbered (tenant_id, old);

CREATE TABLE chunks_by_tenant (
    tenant_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,     -- position in the tenant's pull order
    doc_id      TEXT NOT NULL,
    origin      TEXT NOT NULL,        -- device id, or 'server'
    received_at INTEGER NOT NULL,     -- server clock, ms
    data        BLOB NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
INSERT INTO chunks_by_tenant (tenant_id, seq, doc_id, origin, received_at, data)
    SELECT c.tenant_id, r.new, c.doc_id, c.origin, c.received_at, c.data
    FROM chunks c JOIN renumbered r ON r.tenant_id = c.tenant_id AND r.old = c.seq
    ORDER BY c.tenant_id, r.new;
UPDATE docs SET snapshot_seq =
    (SELECT r.new FROM renumbered r WHERE r.tenant_id = docs.tenant_id AND r.old = docs.snapshot_seq)
    WHERE snapshot_seq > 0;
INSERT INTO tenant_clock (tenant_id, seq)
    SELECT tenant_id, max(new) FROM renumbered GROUP BY tenant_id;

DROP TABLE chunks;
ALTER TABLE chunks_by_tenant RENAME TO chunks;
CREATE INDEX chunks_doc ON chunks (tenant_id, doc_id, seq);

-- Devices hold cursors of the old numbering. A request under the epoch they
-- were given before this migration (or, with chunks to pull, under none)
-- pulls again from 0: everything in its scope once more, nothing skipped.
-- Its answer carries a new epoch, and its cursor is of the new numbering
-- (sync::epoch). Only for a database that had chunks to renumber.
INSERT INTO meta (key, value)
    SELECT 'storage.epoch.before_tenant_positions', coalesce((SELECT value FROM meta WHERE key = 'storage.epoch'), '')
    WHERE EXISTS (SELECT 1 FROM renumbered);
UPDATE meta SET value = lower(hex(randomblob(16)))
    WHERE key = 'storage.epoch' AND EXISTS (SELECT 1 FROM renumbered);

DROP TABLE renumbered;
