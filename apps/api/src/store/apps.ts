import { randomUUID } from 'node:crypto';
import { conflict } from '../errors.js';
import { type Db, now, statement } from './db.js';
import { type AppRow, appRow } from './rows.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function insertApp(db: Db, name: string): AppRow {
  const at = now();
  const row = { id: randomUUID(), name, created_at: at, updated_at: at, destroyed_at: null };
  try {
    db.prepare(`INSERT INTO apps (id, name, created_at, updated_at) VALUES (@id, @name, @created_at, @updated_at)`).run(
      row,
    );
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw conflict(`Name ${name} is already taken.`);
    }
    throw err;
  }
  return row;
}

/** A live app by name or id. */
export function findApp(db: Db, nameOrId: string): AppRow | undefined {
  const column = UUID_RE.test(nameOrId) ? 'id' : 'name';
  const row = statement(db, `SELECT * FROM apps WHERE ${column} = ? AND destroyed_at IS NULL`).get(nameOrId);
  return row === undefined ? undefined : appRow.parse(row);
}

export function listApps(db: Db): AppRow[] {
  return db
    .prepare(`SELECT * FROM apps WHERE destroyed_at IS NULL ORDER BY name`)
    .all()
    .map((r) => appRow.parse(r));
}

export function markAppDestroyed(db: Db, id: string): void {
  const at = now();
  db.prepare(`UPDATE apps SET destroyed_at = ?, updated_at = ? WHERE id = ?`).run(at, at, id);
}

export function touchApp(db: Db, id: string): void {
  db.prepare(`UPDATE apps SET updated_at = ? WHERE id = ?`).run(now(), id);
}
