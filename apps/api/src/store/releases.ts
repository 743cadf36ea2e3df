import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Db, now } from './db.js';
import { type ConfigMap, type ProcessTypes, type ReleaseRow, releaseRow } from './rows.js';

export interface NewRelease {
  appId: string;
  image: { id: string; tag: string | null } | null;
  config: ConfigMap;
  processTypes: ProcessTypes;
  description: string;
  userEmail: string;
  buildId: string | null;
  status: ReleaseRow['status'];
}

const parse = (row: unknown) => releaseRow.parse(row);
const lastVersion = z.object({ v: z.number().int().nullable() });

export function latestRelease(db: Db, appId: string): ReleaseRow | undefined {
  const row = db.prepare(`SELECT * FROM releases WHERE app_id = ? ORDER BY version DESC LIMIT 1`).get(appId);
  return row === undefined ? undefined : parse(row);
}

/** The release that is live: the newest that succeeded. */
export function currentRelease(db: Db, appId: string): ReleaseRow | undefined {
  const row = db
    .prepare(`SELECT * FROM releases WHERE app_id = ? AND status = 'succeeded' ORDER BY version DESC LIMIT 1`)
    .get(appId);
  return row === undefined ? undefined : parse(row);
}

export function listReleases(db: Db, appId: string): ReleaseRow[] {
  return db.prepare(`SELECT * FROM releases WHERE app_id = ? ORDER BY version DESC`).all(appId).map(parse);
}

export function findRelease(db: Db, appId: string, idOrVersion: string | number): ReleaseRow | undefined {
  const byVersion = typeof idOrVersion === 'number' || /^v?\d+$/i.test(idOrVersion);
  const row = byVersion
    ? db
        .prepare(`SELECT * FROM releases WHERE app_id = ? AND version = ?`)
        .get(appId, Number(String(idOrVersion).replace(/^v/i, '')))
    : db.prepare(`SELECT * FROM releases WHERE app_id = ? AND id = ?`).get(appId, idOrVersion);
  return row === undefined ? undefined : parse(row);
}

/**
 * Appends the app's next release. Must run inside a write transaction (see
 * core/releases.ts) so that reading the last version and inserting the next are atomic;
 * the store's trigger refuses a gap or a duplicate either way.
 */
export function appendRelease(db: Db, spec: NewRelease): ReleaseRow {
  const last = lastVersion.parse(db.prepare(`SELECT MAX(version) AS v FROM releases WHERE app_id = ?`).get(spec.appId));
  const row = {
    id: randomUUID(),
    app_id: spec.appId,
    version: (last.v ?? 0) + 1,
    image_id: spec.image?.id ?? null,
    image_tag: spec.image?.tag ?? null,
    config: JSON.stringify(spec.config),
    process_types: JSON.stringify(spec.processTypes),
    description: spec.description,
    user_email: spec.userEmail,
    build_id: spec.buildId,
    created_at: now(),
    status: spec.status,
  };
  db.prepare(
    `INSERT INTO releases (id, app_id, version, image_id, image_tag, config, process_types, description,
                           user_email, build_id, created_at, status)
     VALUES (@id, @app_id, @version, @image_id, @image_tag, @config, @process_types, @description,
             @user_email, @build_id, @created_at, @status)`,
  ).run(row);
  return parse(row);
}

const releaseImageRow = z.object({
  app_id: z.string(),
  destroyed: z.number().transform((n) => n !== 0),
  version: z.number().int().nullable(),
  image_id: z.string().nullable(),
  status: releaseRow.shape.status.nullable(),
});
export type ReleaseImageRow = z.infer<typeof releaseImageRow>;

/**
 * Every app, destroyed ones too, with the image of each of its releases (one row per release;
 * one row with a null version for an app with none): what image collection decides from.
 */
export function releaseImages(db: Db): ReleaseImageRow[] {
  return db
    .prepare(
      `SELECT a.id AS app_id, a.destroyed_at IS NOT NULL AS destroyed, r.version, r.image_id, r.status
       FROM apps a LEFT JOIN releases r ON r.app_id = a.id`,
    )
    .all()
    .map((row) => releaseImageRow.parse(row));
}
