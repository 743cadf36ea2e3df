-- paas store, schema 7: the release phase. A release whose process types have a `release`
-- command is written `pending`, runs that command as a one-off, and then moves once to
-- `succeeded` or `failed` (001's trigger allows that one move and nothing else).

-- What a release phase printed and how it ended. One row per release that ran (or was to
-- run) its release command; the row exists from the moment the command starts (so "no row"
-- means "not started yet"). `output` is bounded by the api (the tail is kept, and
-- `dropped` counts the bytes cut from its head).
CREATE TABLE release_outputs (
  release_id  TEXT PRIMARY KEY REFERENCES releases (id),
  app_id      TEXT NOT NULL REFERENCES apps (id),
  process     TEXT NOT NULL,              -- the one-off's name: release.N
  command     TEXT NOT NULL,
  output      TEXT NOT NULL DEFAULT '',
  dropped     INTEGER NOT NULL DEFAULT 0 CHECK (dropped >= 0),
  exit_code   INTEGER,
  -- Why the release failed, in words ("exited with status 1", "timed out after 3600 s", …).
  reason      TEXT,
  started_at  TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX release_outputs_app ON release_outputs (app_id);

-- Signs the release output URLs (they need no Authorization: the URL carries an expiring,
-- unguessable token made with this key).
INSERT OR IGNORE INTO settings (key, value) VALUES ('release_output_key', lower(hex(randomblob(32))));
