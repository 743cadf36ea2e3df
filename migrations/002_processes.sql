-- paas store, schema 2: what the scheduler needs to survive an api restart.

-- Agents that have connected, and when they were last heard from (for the placement timeout).
CREATE TABLE agents (
  id         TEXT PRIMARY KEY,
  hostname   TEXT NOT NULL,
  capacity   INTEGER NOT NULL,
  last_seen  TEXT NOT NULL
);

-- Which agent runs each process (key = app id + process name, e.g. "<uuid>:web.2").
CREATE TABLE placements (
  key        TEXT PRIMARY KEY,
  app_id     TEXT NOT NULL REFERENCES apps (id),
  agent_id   TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Restart requests: scope '' (the whole app), a process type ('web') or a name ('web.2').
-- A process whose newest applicable restart is newer than it is replaced.
CREATE TABLE restarts (
  app_id TEXT NOT NULL REFERENCES apps (id),
  scope  TEXT NOT NULL,
  at     TEXT NOT NULL,
  PRIMARY KEY (app_id, scope)
);
