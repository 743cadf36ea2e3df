import { randomUUID } from 'node:crypto';
import { type Db, now } from './db.js';
import { type FormationRow, formationRow } from './rows.js';

const parse = (row: unknown) => formationRow.parse(row);

export function listFormation(db: Db, appId: string): FormationRow[] {
  return db.prepare(`SELECT * FROM formation WHERE app_id = ? ORDER BY type`).all(appId).map(parse);
}

/**
 * Gives every process type a formation row. A type seen for the first time starts at 0,
 * except `web`, which starts at 1 (as on Heroku's first deploy).
 */
export function ensureFormation(db: Db, appId: string, types: string[]): void {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO formation (id, app_id, type, quantity, size, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'Basic', ?, ?)`,
  );
  const at = now();
  for (const type of types) insert.run(randomUUID(), appId, type, type === 'web' ? 1 : 0, at, at);
}

export function setFormation(db: Db, appId: string, type: string, change: { quantity?: number; size?: string }): void {
  db.prepare(
    `UPDATE formation SET quantity = COALESCE(?, quantity), size = COALESCE(?, size), updated_at = ?
     WHERE app_id = ? AND type = ?`,
  ).run(change.quantity ?? null, change.size ?? null, now(), appId, type);
}
