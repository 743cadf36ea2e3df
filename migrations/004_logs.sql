-- paas store, schema 4: the log router's history (the last 1,500 lines per app) and log drains.
CREATE TABLE log_lines (
  app_id  TEXT NOT NULL REFERENCES apps (id),
  seq     INTEGER NOT NULL,
  ts      TEXT NOT NULL,
  source  TEXT NOT NULL CHECK (source IN ('app', 'paas')),
  process TEXT NOT NULL,
  line    TEXT NOT NULL,
  PRIMARY KEY (app_id, seq)
) WITHOUT ROWID;

-- Where an app's lines are also sent: https://, http:// (logplex framing) or syslog+tcp://.
CREATE TABLE drains (
  id         TEXT PRIMARY KEY,
  app_id     TEXT NOT NULL REFERENCES apps (id),
  url        TEXT NOT NULL,
  token      TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX drains_app_url ON drains (app_id, url);
