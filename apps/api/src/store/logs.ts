import { type Db, statement } from './db.js';
import { type LogEntry, logEntryRow } from './rows.js';

/** The last `limit` stored lines of an app, oldest first. */
export function lastLogLines(db: Db, appId: string, limit: number): LogEntry[] {
  return db
    .prepare(`SELECT seq, ts, source, process, line FROM log_lines WHERE app_id = ? ORDER BY seq DESC LIMIT ?`)
    .all(appId, limit)
    .map((row) => logEntryRow.parse(row))
    .reverse();
}

export function appendLogLines(db: Db, batches: { appId: string; entries: LogEntry[] }[]): void {
  const insert = statement(
    db,
    `INSERT OR IGNORE INTO log_lines (app_id, seq, ts, source, process, line) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const { appId, entries } of batches) {
      for (const e of entries) insert.run(appId, e.seq, e.ts, e.source, e.process, e.line);
    }
  })();
}

/** Drops an app's stored lines numbered below `belowSeq`. */
export function trimLogLines(db: Db, appId: string, belowSeq: number): void {
  statement(db, `DELETE FROM log_lines WHERE app_id = ? AND seq < ?`).run(appId, belowSeq);
}

export function removeAppLogLines(db: Db, appId: string): void {
  db.prepare(`DELETE FROM log_lines WHERE app_id = ?`).run(appId);
}
