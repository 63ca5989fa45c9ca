-- Accounts store (PRODUCT S1, S3, S4, S13; SECURITY A3, A4, B2): accounts with
-- roles and lockout state, server-side sessions, API tokens and the device
-- code. Lives in the durable settings database (WAL + synchronous=FULL), so a
-- recorded login failure is on disk before the answer is sent.
-- Secrets are never stored: passwords as PHC scrypt strings, session and token
-- secrets and the device code as SHA-256 digests (they are 256/100-bit random).
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 32),
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'support')),
  builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
  -- PHC scrypt string; NULL = no password set yet: nobody can log in as this account.
  password_hash TEXT,
  password_changed_at INTEGER,
  -- Consecutive failed logins since the last success (S4), and the lock end (epoch ms).
  failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  locked_until INTEGER,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  secret_sha256 BLOB NOT NULL CHECK (length(secret_sha256) = 32),
  account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  source TEXT
) STRICT;
CREATE INDEX sessions_by_account ON sessions (account_id);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer', 'support')),
  secret_sha256 BLOB NOT NULL CHECK (length(secret_sha256) = 32),
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  last_used_at INTEGER
) STRICT;

CREATE TABLE device_code (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  code_sha256 BLOB NOT NULL CHECK (length(code_sha256) = 32),
  created_at INTEGER NOT NULL
) STRICT;

-- Failed logins for names that are not accounts: counted with one durable write,
-- like a known account's failure, so both answers take the same time (SEC-A5).
CREATE TABLE login_stats (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  unknown_failures INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO login_stats (singleton, unknown_failures) VALUES (1, 0);
