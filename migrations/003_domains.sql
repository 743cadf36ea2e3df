-- paas store, schema 3: custom domains the router answers for, besides <app>.<PAAS_DOMAIN>.
CREATE TABLE domains (
  id         TEXT PRIMARY KEY,
  app_id     TEXT NOT NULL REFERENCES apps (id),
  hostname   TEXT NOT NULL,
  created_at TEXT NOT NULL
);
-- One app per hostname at a time (an app's destroy frees its domains).
CREATE UNIQUE INDEX domains_hostname ON domains (hostname);
