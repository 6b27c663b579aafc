-- Resumable uploads of sync request bodies (UploadStore).

CREATE TABLE uploads (
    device_id  text COLLATE "C" NOT NULL,
    id         text COLLATE "C" NOT NULL,
    length     bigint NOT NULL,
    received   bigint NOT NULL,
    answer     bytea,
    updated_at bigint NOT NULL,
    PRIMARY KEY (device_id, id)
);
CREATE INDEX uploads_updated ON uploads (updated_at);

CREATE TABLE upload_parts (
    device_id text COLLATE "C" NOT NULL,
    id        text COLLATE "C" NOT NULL,
    "offset"  bigint NOT NULL,
    data      bytea NOT NULL,
    PRIMARY KEY (device_id, id, "offset")
);
