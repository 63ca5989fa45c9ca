-- Installation identity: created once at first start, kept across restarts and
-- upgrades, regenerated only by a factory reset. `serial` is what unit 255 and
-- the web pages report as the serial number (12 ASCII characters at most, as in
-- the reference's register 101); `id` is a random UUID for fleet identification.
CREATE TABLE installation (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  id TEXT NOT NULL,
  serial TEXT NOT NULL CHECK (length(serial) BETWEEN 1 AND 12),
  created_at TEXT NOT NULL
) STRICT;
