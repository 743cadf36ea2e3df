/**
 * Heroku's log sessions: a session is made for an app with what to show (how many lines,
 * which process or source, whether to tail) and is opened, without a token, through a secret
 * URL. The URL is single-use: it must be opened within a few minutes, once; a tail's client
 * may only reconnect (the Heroku CLI's EventSource does, with Last-Event-ID) while it has no
 * connection open, and a tail ends when its session expires (an hour after it was made: the
 * Heroku CLI then says "Log stream timed out"). Transport-free: routes/logs.ts serves the URL.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { LogSessionBody } from '@paas/shared';
import { notFound } from '../errors.js';
import type { AppRow, LogEntry } from '../store/rows.js';
import type { LogFilter } from './log-subscription.js';
import type { AppRef, LogRouter } from './logs.js';

/** A log session's URL must be opened within this long after it was made. */
const SESSION_TTL_MS = 5 * 60_000;
/** A tail lasts this long after its session was made; then it ends. */
export const TAIL_TTL_MS = 60 * 60_000;
const SWEEP_MS = 60_000;

export interface LogSession {
  id: string;
  app: AppRef;
  lines: number;
  tail: boolean;
  filter: LogFilter;
  createdAt: string;
  /** The first open must come before this. */
  openBy: number;
  /** After this the session is over: a tail still open is ended. */
  expires: number;
  /** Whether it was opened; how many connections it has now. */
  opened: boolean;
  live: number;
}

export class LogSessions {
  /** By the secret token in the session's URL. */
  private readonly sessions = new Map<string, LogSession>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly deps: { logs: LogRouter },
    private readonly ttlMs = SESSION_TTL_MS,
    private readonly tailTtlMs = TAIL_TTL_MS,
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
      openBy: Date.now() + this.ttlMs,
      expires: Date.now() + (body.tail ? Math.max(this.tailTtlMs, this.ttlMs) : this.ttlMs),
      opened: false,
      live: 0,
    };
    this.sessions.set(token, session);
    return { token, session };
  }

  /**
   * The session a token names, and the lines it shows first: those after `afterSeq` (a client
   * reconnecting after the last line it got), else its last `lines`.
   */
  open(token: string, afterSeq?: number): { session: LogSession; history: LogEntry[]; closed: () => void } {
    const session = this.sessions.get(token);
    const now = Date.now();
    if (!session || session.expires < now || (!session.opened && session.openBy < now)) {
      throw notFound('This log session has expired: start a new one.');
    }
    // Single-use: opened once; after that only a tail's own client reconnecting (it says where
    // it was, and its connection is gone) gets it again.
    const reconnect = session.opened && session.tail && afterSeq !== undefined && session.live === 0;
    if (session.opened && !reconnect) throw notFound('This log session was already used: start a new one.');
    session.opened = true;
    session.live += 1;
    let done = false;
    const closed = () => {
      if (done) return;
      done = true;
      session.live -= 1;
      if (!session.tail) this.sessions.delete(token);
    };
    const { logs } = this.deps;
    const history =
      afterSeq === undefined
        ? logs.recent(session.app, session.filter, session.lines)
        : logs.since(session.app, session.filter, afterSeq);
    return { session, history, closed };
  }

  close(): void {
    clearInterval(this.sweep);
    this.sessions.clear();
  }
}
