-- paas store, schema 8: add-ons (backing services), their attachments, and backups.

-- One provisioned service (heroku-postgresql, heroku-redis) owned by an app. `state` moves
-- provisioning → provisioned → deprovisioned; a deprovisioned row is kept (its name stays
-- taken by nothing: names are unique among live add-ons only). `secrets` is the JSON the
-- service container is made with (user, password, database); `agent_id` is the host that
-- holds its volume (it never moves).
CREATE TABLE addons (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  app_id      TEXT NOT NULL REFERENCES apps (id),
  service     TEXT NOT NULL,
  plan        TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('provisioning', 'provisioned', 'deprovisioned')),
  secrets     TEXT NOT NULL,
  agent_id    TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX addons_live_name ON addons (name) WHERE state != 'deprovisioned';
CREATE INDEX addons_app ON addons (app_id);

-- An add-on attached to an app under a name: the app's config gets <NAME>_URL. `released`
-- is 1 once a release carrying that var was made (attaching happens when the add-on is
-- provisioned, so an api killed in between makes it on its next start).
CREATE TABLE addon_attachments (
  id          TEXT PRIMARY KEY,
  addon_id    TEXT NOT NULL REFERENCES addons (id),
  app_id      TEXT NOT NULL REFERENCES apps (id),
  name        TEXT NOT NULL,
  released    INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX addon_attachments_app_name ON addon_attachments (app_id, name);
CREATE INDEX addon_attachments_addon ON addon_attachments (addon_id);

-- pg:backups: one `pg_dump -Fc` file under PAAS_DATA_DIR/backups per row. `num` counts per
-- app (b001, b002 …), as Heroku names them.
CREATE TABLE pg_backups (
  id          TEXT PRIMARY KEY,
  app_id      TEXT NOT NULL REFERENCES apps (id),
  addon_id    TEXT NOT NULL REFERENCES addons (id),
  num         INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  size        INTEGER NOT NULL DEFAULT 0,
  error       TEXT,
  created_at  TEXT NOT NULL,
  finished_at TEXT
);
CREATE UNIQUE INDEX pg_backups_app_num ON pg_backups (app_id, num);
