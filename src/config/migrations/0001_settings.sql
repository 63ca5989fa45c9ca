-- Settings store: the whole validated configuration as ONE JSON document row
-- (id = 1). Every write replaces the row in one transaction and bumps
-- `revision`, so a reader or a restart after kill -9 sees exactly one written
-- version, never a mix of two. `schema_version` is the config schema version
-- the JSON was written with (src/config/versions.ts migrates older ones).
CREATE TABLE settings_document (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  schema_version INTEGER NOT NULL CHECK (schema_version >= 1),
  json TEXT NOT NULL CHECK (json_valid(json)),
  updated_at TEXT NOT NULL,
  actor TEXT
) STRICT;
