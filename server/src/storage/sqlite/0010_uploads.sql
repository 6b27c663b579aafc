-- Schema 10: resumable uploads of sync request bodies (UploadStore).

CREATE TABLE uploads (
    device_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    length     INTEGER NOT NULL,
    received   INTEGER NOT NULL,
    answer     BLOB,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, id)
) WITHOUT ROWID;
CREATE INDEX uploads_updated ON uploads(updated_at);

CREATE TABLE upload_parts (
    device_id TEXT NOT NULL,
    id        TEXT NOT NULL,
    offset    INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (device_id, id, offset)
) WITHOUT ROWID;
