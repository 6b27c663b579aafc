-- Schema 8: allowance and award documents are no longer copied into the
-- merged view (nothing read them; the documents stay), and the view is
-- rebuilt from the documents once, by the server, in Rust (storage::view).

DROP TABLE decisions;
DELETE FROM meta WHERE key = 'view.version';
