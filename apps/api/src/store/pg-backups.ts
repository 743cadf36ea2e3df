/** pg:backups rows (migration 008). Every row read is parsed. */
import { randomUUID } from 'node:crypto';
import { type Db, now } from './db.js';
import { type BackupRow, backupRow } from './rows.js';

const parse = (row: unknown) => backupRow.parse(row);

/** A new backup, `running`, numbered next for the app (b001, b002 …). */
export function insertBackup(db: Db, appId: string, addonId: string): BackupRow {
  return db
    .transaction(() => {
      const last = db.prepare(`SELECT max(num) AS n FROM pg_backups WHERE app_id = ?`).get(appId) as {
        n: number | null;
      };
      const id = randomUUID();
      db.prepare(
        `INSERT INTO pg_backups (id, app_id, addon_id, num, status, created_at) VALUES (?, ?, ?, ?, 'running', ?)`,
      ).run(id, appId, addonId, (last.n ?? 0) + 1, now());
      return parse(db.prepare(`SELECT * FROM pg_backups WHERE id = ?`).get(id));
    })
    .immediate();
}

export function finishBackup(db: Db, id: string, result: { size: number } | { error: string }): BackupRow {
  if ('error' in result) {
    db.prepare(`UPDATE pg_backups SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`).run(
      result.error,
      now(),
      id,
    );
  } else {
    db.prepare(`UPDATE pg_backups SET status = 'succeeded', size = ?, finished_at = ? WHERE id = ?`).run(
      result.size,
      now(),
      id,
    );
  }
  return parse(db.prepare(`SELECT * FROM pg_backups WHERE id = ?`).get(id));
}

export function listBackups(db: Db, appId: string): BackupRow[] {
  return db.prepare(`SELECT * FROM pg_backups WHERE app_id = ? ORDER BY num DESC`).all(appId).map(parse);
}

/** Backups a killed api left `running` fail: their dump never finished. */
export function failRunningBackups(db: Db): number {
  return db
    .prepare(`UPDATE pg_backups SET status = 'failed', error = ?, finished_at = ? WHERE status = 'running'`)
    .run('interrupted: the api stopped before the dump finished', now()).changes;
}
