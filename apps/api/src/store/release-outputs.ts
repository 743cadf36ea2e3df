/**
 * Release phases: what each printed (bounded: the tail is kept) and how it ended, and the
 * one move of a release's status out of `pending`. The releases table's trigger refuses any
 * other edit; here the move is also conditional, so a release decided once stays decided.
 */
import { z } from 'zod';
import { type Db, now } from './db.js';
import { type ReleaseOutputRow, type ReleaseRow, releaseOutputRow, releaseRow, settingRow } from './rows.js';

export type ReleaseOutcome = 'succeeded' | 'failed';

/** The key that signs release output URLs (made by migration 007). */
export function releaseOutputKey(db: Db): string {
  return settingRow.parse(db.prepare(`SELECT value FROM settings WHERE key = 'release_output_key'`).get()).value;
}

export function startReleaseOutput(
  db: Db,
  spec: { releaseId: string; appId: string; process: string; command: string },
): void {
  db.prepare(
    `INSERT INTO release_outputs (release_id, app_id, process, command, started_at) VALUES (?, ?, ?, ?, ?)`,
  ).run(spec.releaseId, spec.appId, spec.process, spec.command, now());
}

/** Saves the output so far (already bounded by the caller). */
export function saveReleaseOutput(db: Db, releaseId: string, output: { text: string; dropped: number }): void {
  db.prepare(`UPDATE release_outputs SET output = ?, dropped = ? WHERE release_id = ?`).run(
    output.text,
    output.dropped,
    releaseId,
  );
}

export function findReleaseOutput(db: Db, releaseId: string): ReleaseOutputRow | undefined {
  const row = db.prepare(`SELECT * FROM release_outputs WHERE release_id = ?`).get(releaseId);
  return row === undefined ? undefined : releaseOutputRow.parse(row);
}

/**
 * Ends a release phase: its output and exit, and the release's status, in one transaction.
 * Returns false (and changes nothing) if the release was no longer pending.
 */
export function decideRelease(
  db: Db,
  releaseId: string,
  outcome: {
    status: ReleaseOutcome;
    exitCode: number | null;
    reason: string | null;
    output: { text: string; dropped: number };
  },
): boolean {
  return db
    .transaction(() => {
      const moved = db
        .prepare(`UPDATE releases SET status = ? WHERE id = ? AND status = 'pending'`)
        .run(outcome.status, releaseId).changes;
      if (moved === 0) return false;
      db.prepare(
        `UPDATE release_outputs SET output = ?, dropped = ?, exit_code = ?, reason = ?, finished_at = ?
         WHERE release_id = ?`,
      ).run(outcome.output.text, outcome.output.dropped, outcome.exitCode, outcome.reason, now(), releaseId);
      return true;
    })
    .immediate();
}

const pendingRow = releaseRow
  .pick({ id: true, app_id: true, version: true })
  .extend({ command: z.string().nullable() });

/**
 * Releases still pending when the api starts: their release phase was cut short (the api
 * stopped or was killed while it ran), so nothing will ever decide them. Each is marked failed
 * with the reason in its output (a row is made for one that had not started). Returns them.
 */
export function failInterruptedReleases(db: Db, reason: string): Pick<ReleaseRow, 'id' | 'app_id' | 'version'>[] {
  return db
    .transaction(() => {
      const pending = db
        .prepare(
          `SELECT r.id, r.app_id, r.version, json_extract(r.process_types, '$.release') AS command
           FROM releases r WHERE r.status = 'pending'`,
        )
        .all()
        .map((row) => pendingRow.parse(row));
      const at = now();
      for (const r of pending) {
        db.prepare(
          `INSERT OR IGNORE INTO release_outputs (release_id, app_id, process, command, started_at)
           VALUES (?, ?, ?, ?, ?)`,
        ).run(r.id, r.app_id, `release.${r.version}`, r.command ?? '', at);
        db.prepare(
          `UPDATE release_outputs SET reason = ?, finished_at = ?,
             output = output || CASE WHEN output = '' OR output LIKE '%' || char(10) THEN '' ELSE char(10) END || ?
           WHERE release_id = ?`,
        ).run(reason, at, `${reason}\n`, r.id);
        db.prepare(`UPDATE releases SET status = 'failed' WHERE id = ? AND status = 'pending'`).run(r.id);
      }
      return pending.map(({ id, app_id, version }) => ({ id, app_id, version }));
    })
    .immediate();
}
