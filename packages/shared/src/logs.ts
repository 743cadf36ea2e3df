import { z } from 'zod';

/** Where a log line came from: the app's own output, or the platform (router, api, agent). */
export const logSource = z.enum(['app', 'paas']);
export type LogSource = z.infer<typeof logSource>;

/** One line of an app's log, as agents ship it and the log router keeps it. */
export const logLine = z.object({
  /** When the line was read (or the event happened): ISO 8601, UTC. */
  ts: z.string(),
  source: logSource,
  /** web.1, worker.2, run.4821, or for the platform: router, api, and a process name. */
  process: z.string().min(1).max(64),
  line: z.string(),
});
export type LogLine = z.infer<typeof logLine>;

/** Longest line kept, in bytes of UTF-8; longer ones are cut and marked. */
export const LOG_LINE_MAX_BYTES = 10 * 1024;
export const LOG_LINE_CUT_MARKER = ' [line cut at 10 KiB]';
/** Lines kept per app (as Heroku). */
export const LOG_HISTORY_LINES = 1500;

/** Wall-clock time with microseconds, as ISO 8601 (2026-11-22T10:00:00.123456Z). */
export function preciseNow(): string {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  const micros = Math.floor((ms - whole) * 1000);
  return new Date(whole).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

/** Heroku's timestamp: 2026-11-22T10:00:00.123456+00:00 (microseconds, explicit offset). */
export function logTimestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6})\d*)?Z$/.exec(iso);
  if (!m) return iso;
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}+00:00`;
}

/** A line as `paas logs` and the Heroku CLI print it: `<ts> app[web.1]: text`. */
export function formatLogLine(l: Pick<LogLine, 'ts' | 'source' | 'process' | 'line'>): string {
  return `${logTimestamp(l.ts)} ${l.source}[${l.process}]: ${l.line}`;
}

/** POST /apps/:app/log-sessions (Heroku's shape). `dyno` without a dot is a process type. */
export const logSessionBody = z
  .object({
    lines: z.number().int().min(0).max(LOG_HISTORY_LINES).optional(),
    tail: z.boolean().optional(),
    dyno: z.string().min(1).max(64).optional(),
    source: logSource.optional(),
  })
  .strict();
export type LogSessionBody = z.infer<typeof logSessionBody>;
