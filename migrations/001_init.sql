-- paas store, schema 1: apps, tokens, builds, immutable numbered releases, formation.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE api_tokens (
  id          TEXT PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,  -- sha256 of the token; the token itself is never stored
  email       TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE apps (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  -- Apps are destroyed, not deleted: their releases stay, and the name is free again.
  destroyed_at TEXT
);
CREATE UNIQUE INDEX apps_live_name ON apps (name) WHERE destroyed_at IS NULL;

CREATE TABLE builds (
  id            TEXT PRIMARY KEY,
  app_id        TEXT NOT NULL REFERENCES apps (id),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  commit_sha    TEXT NOT NULL,
  image_id      TEXT,
  image_tag     TEXT,
  output        TEXT NOT NULL DEFAULT '',
  user_email    TEXT NOT NULL,
  release_id    TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX builds_app ON builds (app_id, created_at);

CREATE TABLE releases (
  id            TEXT PRIMARY KEY,
  app_id        TEXT NOT NULL REFERENCES apps (id),
  version       INTEGER NOT NULL CHECK (version >= 1),
  image_id      TEXT,                 -- pinned by id; NULL only before the first deploy
  image_tag     TEXT,
  config        TEXT NOT NULL,        -- JSON object: the full config snapshot
  process_types TEXT NOT NULL,        -- JSON object: type -> command (null = image CMD)
  description   TEXT NOT NULL,
  user_email    TEXT NOT NULL,
  build_id      TEXT REFERENCES builds (id),
  created_at    TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  UNIQUE (app_id, version)
);

-- Release history is append-only, enforced by the store itself, not only by the code.
CREATE TRIGGER releases_versions_without_gaps BEFORE INSERT ON releases
WHEN NEW.version <> COALESCE((SELECT MAX(version) FROM releases WHERE app_id = NEW.app_id), 0) + 1
BEGIN
  SELECT RAISE(ABORT, 'releases: version must be the next number for the app');
END;

CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN
  SELECT RAISE(ABORT, 'releases are immutable: a release cannot be deleted');
END;

CREATE TRIGGER releases_immutable BEFORE UPDATE ON releases
WHEN NEW.id IS NOT OLD.id
  OR NEW.app_id IS NOT OLD.app_id
  OR NEW.version IS NOT OLD.version
  OR NEW.image_id IS NOT OLD.image_id
  OR NEW.image_tag IS NOT OLD.image_tag
  OR NEW.config IS NOT OLD.config
  OR NEW.process_types IS NOT OLD.process_types
  OR NEW.description IS NOT OLD.description
  OR NEW.user_email IS NOT OLD.user_email
  OR NEW.build_id IS NOT OLD.build_id
  OR NEW.created_at IS NOT OLD.created_at
  OR (NEW.status IS NOT OLD.status
      AND NOT (OLD.status = 'pending' AND NEW.status IN ('succeeded', 'failed')))
BEGIN
  SELECT RAISE(ABORT, 'releases are immutable: only status may change, once, from pending');
END;

CREATE TABLE formation (
  id         TEXT PRIMARY KEY,
  app_id     TEXT NOT NULL REFERENCES apps (id),
  type       TEXT NOT NULL,
  quantity   INTEGER NOT NULL CHECK (quantity BETWEEN 0 AND 100),
  size       TEXT NOT NULL DEFAULT 'Basic',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (app_id, type)
);
