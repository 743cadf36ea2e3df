/** One-off processes (`paas run`): asked for, then finished once their exit is known. */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { now } from './db.js';
import { nextNumberRow, type OneOffRow, oneOffRow } from './rows.js';

export interface NewOneOff {
  appId: string;
  /** Its number; by default the next of its type in the app (run.1, run.2 …). */
  number?: number;
  releaseId: string;
  type: string;
  command: string;
  env: Record<string, string>;
  size: string;
  attach: boolean;
  tty: boolean;
  timeout: number;
  userEmail: string;
}

/** Appends a one-off (by default with its type's next number in the app), in one transaction. */
export function createOneOff(db: Db, spec: NewOneOff): OneOffRow {
  const id = randomUUID();
  db.transaction(() => {
    const n =
      spec.number ??
      nextNumberRow.parse(
        db
          .prepare(`SELECT COALESCE(MAX(number), 0) + 1 AS n FROM one_offs WHERE app_id = ? AND type = ?`)
          .get(spec.appId, spec.type),
      ).n;
    db.prepare(
      `INSERT INTO one_offs (id, app_id, number, release_id, type, command, env, size, attach, tty, timeout, user_email, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      spec.appId,
      n,
      spec.releaseId,
      spec.type,
      spec.command,
      JSON.stringify(spec.env),
      spec.size,
      spec.attach ? 1 : 0,
      spec.tty ? 1 : 0,
      spec.timeout,
      spec.userEmail,
      now(),
    );
  }).immediate();
  return findOneOff(db, id) as OneOffRow;
}

export function findOneOff(db: Db, id: string): OneOffRow | undefined {
  const row = db.prepare(`SELECT * FROM one_offs WHERE id = ?`).get(id);
  return row === undefined ? undefined : oneOffRow.parse(row);
}

/** A one-off's process name: run.3, release.7. */
export const oneOffName = (o: { type: string; number: number }) => `${o.type}.${o.number}`;

/** Every one-off not finished yet, of every app that is not destroyed. */
export function runningOneOffs(db: Db): OneOffRow[] {
  return db
    .prepare(
      `SELECT o.* FROM one_offs o JOIN apps a ON a.id = o.app_id
       WHERE o.finished_at IS NULL AND a.destroyed_at IS NULL ORDER BY o.number`,
    )
    .all()
    .map((row) => oneOffRow.parse(row));
}

/** Records a one-off's end; false if it had already ended (each end is recorded once). */
export function finishOneOff(db: Db, id: string, exitCode: number | null): boolean {
  return (
    db
      .prepare(`UPDATE one_offs SET finished_at = ?, exit_code = ? WHERE id = ? AND finished_at IS NULL`)
      .run(now(), exitCode, id).changes === 1
  );
}
