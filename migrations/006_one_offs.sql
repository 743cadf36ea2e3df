-- paas store, schema 6: one-off processes (`paas run`, `heroku run`).
-- A one-off runs once from a release (the current one for `paas run`; the new one for its
-- release phase); it is never restarted and is no part of the formation. It is named
-- `<type>.<number>`: `run.N` (N per app) or `release.N` (N = the release's version).
-- It is finished once its exit is known (or it was never started: `exit_code` NULL).
CREATE TABLE one_offs (
  id          TEXT PRIMARY KEY,
  app_id      TEXT NOT NULL REFERENCES apps (id),
  number      INTEGER NOT NULL,
  release_id  TEXT NOT NULL REFERENCES releases (id),
  type        TEXT NOT NULL,
  command     TEXT NOT NULL,
  -- JSON object: the `-e` variables (on top of the release's config).
  env         TEXT NOT NULL,
  size        TEXT NOT NULL,
  attach      INTEGER NOT NULL CHECK (attach IN (0, 1)),
  tty         INTEGER NOT NULL CHECK (tty IN (0, 1)),
  -- Seconds it may run once started.
  timeout     INTEGER NOT NULL,
  user_email  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  finished_at TEXT,
  exit_code   INTEGER,
  UNIQUE (app_id, type, number)
);

CREATE INDEX one_offs_running ON one_offs (app_id) WHERE finished_at IS NULL;
