-- Rate-limit windows shared by every server instance (Storage::count_event).

CREATE TABLE rate_windows (
    key   text COLLATE "C" PRIMARY KEY,
    until bigint NOT NULL,            -- ms: when the window ends
    count integer NOT NULL
);
CREATE INDEX rate_windows_until ON rate_windows (until);
