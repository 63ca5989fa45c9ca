-- Audit store (PRODUCT S6; SECURITY D1–D4, I1): its own database file
-- (audit.db, durable profile: WAL + synchronous=FULL), so a record is on disk
-- before the action it describes is answered.
-- Tamper evidence (D3): each record carries the SHA-256 chain hash over the
-- previous record's hash and its own canonical form, and an HMAC-SHA-256 of
-- that hash under a key kept OUTSIDE this database (audit.key, 0600). `head`
-- holds the MAC'd latest (seq, hash), so a cut at the end is detected;
-- `anchor` holds the MAC'd start of the retained chain after evictions (D4).
CREATE TABLE audit_records (
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  time TEXT NOT NULL,
  category TEXT NOT NULL,
  event TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('account', 'token', 'system', 'host', 'anonymous')),
  actor TEXT,
  source TEXT,
  result TEXT NOT NULL CHECK (result IN ('success', 'failure', 'denied', 'info')),
  details TEXT NOT NULL,
  prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
  hash BLOB NOT NULL CHECK (length(hash) = 32),
  key_id TEXT NOT NULL,
  mac BLOB NOT NULL CHECK (length(mac) = 32)
) STRICT;
CREATE INDEX audit_records_by_time ON audit_records (time);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash BLOB NOT NULL,
  key_id TEXT NOT NULL,
  mac BLOB NOT NULL
) STRICT;

-- The retained chain starts at first_seq whose prev_hash is given here; every
-- eviction moves it forward and appends a row to audit_checkpoints.
CREATE TABLE audit_anchor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  first_seq INTEGER NOT NULL,
  prev_hash BLOB NOT NULL,
  evicted INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  mac BLOB NOT NULL
) STRICT;

CREATE TABLE audit_checkpoints (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('eviction')),
  time TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  prev_hash BLOB NOT NULL,
  evicted INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  mac BLOB NOT NULL
) STRICT;

CREATE TABLE audit_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
