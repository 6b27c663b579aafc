-- Documents to fetch whole from the server on the next sync: their local
-- copy was discarded, or pulled changes lacked dependencies.
CREATE TABLE wanted (
    id TEXT PRIMARY KEY
) WITHOUT ROWID;
