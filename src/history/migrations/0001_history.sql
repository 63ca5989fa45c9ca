-- History store (docs/history.md). Chunks hold compressed points; the staging
-- log holds every flushed point not yet sealed into a chunk, and every point a
-- registered publisher has not acknowledged. Positions are staging commits.

CREATE TABLE series (
  key INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  meta TEXT NOT NULL DEFAULT '{}',
  -- series index (0-based count of points ever appended) up to which points are sealed in chunks
  sealed INTEGER NOT NULL DEFAULT 0,
  -- largest t_last - t_first of the series' chunks: bounds time-range lookups
  max_span INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE chunks (
  seq INTEGER PRIMARY KEY,          -- creation order = ring order (oldest evicted first)
  series INTEGER NOT NULL,
  idx INTEGER NOT NULL,             -- series index of the first point
  count INTEGER NOT NULL,
  t_first INTEGER NOT NULL,         -- points are sorted by time inside a chunk
  t_last INTEGER NOT NULL,
  -- summary of the good points (quality 0, finite value); NULLs when there are none
  good INTEGER NOT NULL,
  v_min REAL,
  v_max REAL,
  v_sum REAL,
  first_t INTEGER,
  first_v REAL,
  last_t INTEGER,
  last_v REAL,
  increase REAL,                    -- counter increase inside the chunk, resets counted from 0
  data BLOB NOT NULL
) STRICT;

CREATE INDEX chunks_by_time ON chunks (series, t_first);
CREATE INDEX chunks_by_series ON chunks (series);

CREATE TABLE staging (
  commit_no INTEGER PRIMARY KEY,    -- the publication position
  at INTEGER NOT NULL,              -- wall clock of the flush (ms, informative)
  points INTEGER NOT NULL,
  data BLOB NOT NULL
) STRICT;

CREATE TABLE publishers (
  name TEXT PRIMARY KEY,
  acked INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE state (
  k TEXT PRIMARY KEY,
  v INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- replay_from: oldest staging commit holding points not yet in chunks (replayed on open)
INSERT INTO state (k, v) VALUES ('commit', 0), ('chunk_points', 0), ('chunks', 0), ('pruned_through', 0), ('dropped_through', 0), ('replay_from', 0);
