-- Schema 9: rate-limit windows kept in the database, so every server
-- process on it counts the same (Storage::count_event).

CREATE TABLE rate_windows (
    key   TEXT PRIMARY KEY,
    until INTEGER NOT NULL,           -- ms: when the window ends
    count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX rate_windows_until ON rate_windows(until);
