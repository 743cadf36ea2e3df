-- paas store, schema 5: at-least-once log intake. Agents resend what the api has not
-- acknowledged; what the api already stored is recognised and dropped.
-- Per container and stream: Docker's time (and piece) of the last line stored.
CREATE TABLE log_cursors (
  container_id TEXT NOT NULL,
  stream       TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr')),
  ts           TEXT NOT NULL,
  part         INTEGER NOT NULL,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (container_id, stream)
) WITHOUT ROWID;

-- Per agent: the run (one per agent start) and the sequence number of the last line stored.
CREATE TABLE log_agent_runs (
  agent_id   TEXT PRIMARY KEY,
  run        TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
