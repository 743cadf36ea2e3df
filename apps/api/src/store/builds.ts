import { randomUUID } from 'node:crypto';
import { type Db, now } from './db.js';
import { type BuildRow, buildRow } from './rows.js';

const parse = (row: unknown) => buildRow.parse(row);

export function insertBuild(db: Db, spec: { appId: string; commit: string; userEmail: string }): BuildRow {
  const at = now();
  const row = {
    id: randomUUID(),
    app_id: spec.appId,
    status: 'pending' as const,
    commit_sha: spec.commit,
    image_id: null,
    image_tag: null,
    output: '',
    user_email: spec.userEmail,
    release_id: null,
    created_at: at,
    updated_at: at,
  };
  db.prepare(
    `INSERT INTO builds (id, app_id, status, commit_sha, output, user_email, created_at, updated_at)
     VALUES (@id, @app_id, @status, @commit_sha, @output, @user_email, @created_at, @updated_at)`,
  ).run(row);
  return row;
}

export function finishBuild(
  db: Db,
  id: string,
  result: {
    status: 'succeeded' | 'failed';
    output: string;
    image?: { id: string; tag: string } | null;
    releaseId?: string | null;
  },
): void {
  db.prepare(
    `UPDATE builds SET status = ?, output = ?, image_id = ?, image_tag = ?, release_id = ?, updated_at = ?
     WHERE id = ? AND status = 'pending'`,
  ).run(
    result.status,
    result.output,
    result.image?.id ?? null,
    result.image?.tag ?? null,
    result.releaseId ?? null,
    now(),
    id,
  );
}

export function listBuilds(db: Db, appId: string): BuildRow[] {
  return db.prepare(`SELECT * FROM builds WHERE app_id = ? ORDER BY created_at DESC, rowid DESC`).all(appId).map(parse);
}

export function findBuild(db: Db, appId: string, id: string): BuildRow | undefined {
  const row = db.prepare(`SELECT * FROM builds WHERE app_id = ? AND id = ?`).get(appId, id);
  return row === undefined ? undefined : parse(row);
}

/** Builds left pending by an api that stopped mid-build can never finish: fail them at start. */
export function failInterruptedBuilds(db: Db): number {
  return db
    .prepare(`UPDATE builds SET status = 'failed', output = output || ?, updated_at = ? WHERE status = 'pending'`)
    .run('\n-----> Build interrupted: the api stopped before it finished\n', now()).changes;
}
