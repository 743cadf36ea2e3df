/**
 * Heroku's log sessions: a session is made for an app with what to show (how many lines,
 * which process or source, whether to tail) and is opened, without a token, through a secret
 * URL that stays valid for a few minutes (and may be reopened: the Heroku CLI reconnects).
 * Transport-free: routes/logs.ts serves the URL.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { LogSessionBody } from '@paas/shared';
import { notFound } from '../errors.js';
import type { AppRow, LogEntry } from '../store/rows.js';
import type { LogFilter } from './log-subscription.js';
import type { AppRef, LogRouter } from './logs.js';

/** A log session's URL may be opened (and reopened) for this long after it was made. */
const SESSION_TTL_MS = 5 * 60_000;
const SWEEP_MS = 60_000;

export interface LogSession {
  id: string;
  app: AppRef;
  lines: number;
  tail: boolean;
  filter: LogFilter;
  createdAt: string;
  expires: number;
}

export class LogSessions {
  /** By the secret token in the session's URL. */
  private readonly sessions = new Map<string, LogSession>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly deps: { logs: LogRouter },
    private readonly ttlMs = SESSION_TTL_MS,
  ) {
    this.sweep = setInterval(() => {
      const now = Date.now();
      for (const [token, s] of this.sessions) if (s.expires < now) this.sessions.delete(token);
    }, SWEEP_MS);
    this.sweep.unref();
  }

  /** A new session of the app; the token goes in its URL. */
  start(app: AppRow, body: LogSessionBody): { token: string; session: LogSession } {
    const token = randomBytes(24).toString('base64url');
    const session: LogSession = {
      id: randomUUID(),
      app: { id: app.id, name: app.name },
      lines: body.lines ?? 100,
      tail: body.tail ?? false,
      filter: { ps: body.dyno, source: body.source },
      createdAt: new Date().toISOString(),
      expires: Date.now() + this.ttlMs,
    };
    this.sessions.set(token, session);
    return { token, session };
  }

  /**
   * The session a token names, and the lines it shows first: those after `afterSeq` (a client
   * reconnecting after the last line it got), else its last `lines`.
   */
  open(token: string, afterSeq?: number): { session: LogSession; history: LogEntry[] } {
    const session = this.sessions.get(token);
    if (!session || session.expires < Date.now()) throw notFound('This log session has expired: start a new one.');
    const { logs } = this.deps;
    const history =
      afterSeq === undefined
        ? logs.recent(session.app, session.filter, session.lines)
        : logs.since(session.app, session.filter, afterSeq);
    return { session, history };
  }

  close(): void {
    clearInterval(this.sweep);
    this.sessions.clear();
  }
}
