/** What the log intake remembers to recognise lines it already stored (see core/log-intake.ts). */
import { z } from 'zod';
import type { Db } from './db.js';

export interface Position {
  ts: string;
  part: number;
}

const cursorRow = z.object({ stream: z.enum(['stdout', 'stderr']), ts: z.string(), part: z.number().int() });
const runRow = z.object({ run: z.string(), seq: z.number().int() });

export function loadCursors(db: Db, containerId: string): Partial<Record<'stdout' | 'stderr', Position>> {
  const rows = db.prepare(`SELECT stream, ts, part FROM log_cursors WHERE container_id = ?`).all(containerId);
  const out: Partial<Record<'stdout' | 'stderr', Position>> = {};
  for (const row of rows) {
    const r = cursorRow.parse(row);
    out[r.stream] = { ts: r.ts, part: r.part };
  }
  return out;
}

export function loadAgentRun(db: Db, agentId: string): { run: string; seq: number } | undefined {
  const row = db.prepare(`SELECT run, seq FROM log_agent_runs WHERE agent_id = ?`).get(agentId);
  return row ? runRow.parse(row) : undefined;
}

export function saveIntake(
  db: Db,
  cursors: { container: string; stream: 'stdout' | 'stderr'; ts: string; part: number }[],
  runs: { agentId: string; run: string; seq: number }[],
): void {
  const now = new Date().toISOString();
  const cursor = db.prepare(
    `INSERT INTO log_cursors (container_id, stream, ts, part, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (container_id, stream) DO UPDATE SET ts = excluded.ts, part = excluded.part, updated_at = excluded.updated_at`,
  );
  const run = db.prepare(
    `INSERT INTO log_agent_runs (agent_id, run, seq, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (agent_id) DO UPDATE SET run = excluded.run, seq = excluded.seq, updated_at = excluded.updated_at`,
  );
  for (const c of cursors) cursor.run(c.container, c.stream, c.ts, c.part, now);
  for (const r of runs) run.run(r.agentId, r.run, r.seq, now);
}

/** Cursors of containers that printed nothing for `days` are of containers long gone. */
export function pruneCursors(db: Db, days = 7): number {
  const before = new Date(Date.now() - days * 86_400_000).toISOString();
  return db.prepare(`DELETE FROM log_cursors WHERE updated_at < ?`).run(before).changes;
}
