import { randomUUID } from 'node:crypto';
import { conflict } from '../errors.js';
import { type Db, now } from './db.js';
import { type DrainRow, drainRow } from './rows.js';

const parse = (row: unknown) => drainRow.parse(row);

export function listDrains(db: Db, appId?: string): DrainRow[] {
  return (
    appId === undefined
      ? db.prepare(`SELECT * FROM drains ORDER BY created_at`).all()
      : db.prepare(`SELECT * FROM drains WHERE app_id = ? ORDER BY created_at`).all(appId)
  ).map(parse);
}

export function findDrain(db: Db, appId: string, idOrUrl: string): DrainRow | undefined {
  const row = db.prepare(`SELECT * FROM drains WHERE app_id = ? AND (id = ? OR url = ?)`).get(appId, idOrUrl, idOrUrl);
  return row === undefined ? undefined : parse(row);
}

export function addDrain(db: Db, appId: string, url: string): DrainRow {
  const at = now();
  const row = { id: randomUUID(), app_id: appId, url, token: `d.${randomUUID()}`, created_at: at, updated_at: at };
  try {
    db.prepare(
      `INSERT INTO drains (id, app_id, url, token, created_at, updated_at) VALUES (@id, @app_id, @url, @token, @created_at, @updated_at)`,
    ).run(row);
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
      throw conflict(`${url} is already a drain of this app.`);
    throw err;
  }
  return row;
}

export function removeDrain(db: Db, id: string): void {
  db.prepare(`DELETE FROM drains WHERE id = ?`).run(id);
}

export function removeAppDrains(db: Db, appId: string): void {
  db.prepare(`DELETE FROM drains WHERE app_id = ?`).run(appId);
}
