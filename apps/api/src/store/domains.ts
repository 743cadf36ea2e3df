import { randomUUID } from 'node:crypto';
import { conflict } from '../errors.js';
import { type Db, now } from './db.js';
import { type DomainRow, domainRow } from './rows.js';

const parse = (row: unknown) => domainRow.parse(row);

export function listDomains(db: Db, appId?: string): DomainRow[] {
  return (
    appId === undefined
      ? db.prepare(`SELECT * FROM domains ORDER BY hostname`).all()
      : db.prepare(`SELECT * FROM domains WHERE app_id = ? ORDER BY hostname`).all(appId)
  ).map(parse);
}

export function addDomain(db: Db, appId: string, hostname: string): DomainRow {
  const row = { id: randomUUID(), app_id: appId, hostname, created_at: now() };
  try {
    db.prepare(
      `INSERT INTO domains (id, app_id, hostname, created_at) VALUES (@id, @app_id, @hostname, @created_at)`,
    ).run(row);
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
      throw conflict(`${hostname} is already in use by an app.`);
    throw err;
  }
  return row;
}

export function removeDomain(db: Db, appId: string, hostnameOrId: string): DomainRow | undefined {
  const found = db
    .prepare(`SELECT * FROM domains WHERE app_id = ? AND (hostname = ? OR id = ?)`)
    .get(appId, hostnameOrId.toLowerCase(), hostnameOrId);
  if (found === undefined) return undefined;
  const row = parse(found);
  db.prepare(`DELETE FROM domains WHERE id = ?`).run(row.id);
  return row;
}

export function removeAppDomains(db: Db, appId: string): void {
  db.prepare(`DELETE FROM domains WHERE app_id = ?`).run(appId);
}
