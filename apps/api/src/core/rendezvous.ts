/**
 * The rendezvous of an attached one-off: its client (the paas CLI over a WebSocket, or the
 * Heroku CLI over TLS) and the agent running it (over a WebSocket) meet here, by the one-off's
 * id, and the api pipes bytes and control messages between them. Transport-free: each side is
 * an `AttachEnd` its transport made.
 *
 * - `open` makes the session and its secret: one-time (a second client with it is refused)
 *   and valid `ttlMs` (60 s): a session not joined by both sides by then is abandoned (both
 *   sides closed, `onAbandoned`: the one-off is recorded as ended).
 * - When both are there the agent is told `start` (with the window size): the process starts
 *   only then, so the client sees all of its output. Client stdin that arrives before the
 *   agent is held until it joins.
 * - The agent says `exit` after the process's last output: the client gets it and both close.
 *   A client that leaves closes the agent's side (the agent stops the process: SIGTERM, grace,
 *   SIGKILL); an agent that leaves before `exit` ends the client's session with an error.
 */
import { randomBytes } from 'node:crypto';
import type { AttachControl } from '@paas/shared';
import type { Logger } from '../logger.js';

export interface AttachEnd {
  data(chunk: Buffer): void;
  control(message: AttachControl): void;
  close(): void;
  /** Bytes sent to this side and not written out yet (a slow reader). */
  backlog?(): number;
  /** Stop / go on reading from this side. */
  pause?(): void;
  resume?(): void;
}

/** Past this much unwritten output to the client, the agent's side is not read. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

/** What a side's transport calls as things arrive from it. */
export interface AttachPort {
  data(chunk: Buffer): void;
  control(message: AttachControl): void;
  closed(): void;
}

interface Session {
  id: string;
  secret: string;
  tty: boolean;
  size: { cols?: number; rows?: number };
  client?: AttachEnd;
  agent?: AttachEnd;
  /** Client input that came before the agent. */
  held: (Buffer | AttachControl)[];
  started: boolean;
  exited: boolean;
  timer: NodeJS.Timeout;
  /** While the client reads slowly: polls its backlog until it is low again. */
  drain?: NodeJS.Timeout;
}

export interface RendezvousDeps {
  log: Logger;
  ttlMs?: number;
  /** A session that never started, or whose sides both left before it did. */
  onAbandoned: (oneOffId: string) => void;
}

export class Rendezvous {
  private readonly sessions = new Map<string, Session>();
  private readonly bySecret = new Map<string, string>();

  constructor(private readonly deps: RendezvousDeps) {}

  /** A session for this one-off; returns its secret. */
  open(id: string, options: { tty: boolean; cols?: number; rows?: number }): string {
    const secret = randomBytes(24).toString('base64url');
    const ttlMs = this.deps.ttlMs ?? 60_000;
    const timer = setTimeout(() => {
      const s = this.sessions.get(id);
      const waitedFor = s?.client ? 'no agent started it' : 'nobody attached';
      this.abandon(id, `${waitedFor} within ${Math.round(ttlMs / 1000)} s`);
    }, ttlMs);
    timer.unref();
    this.sessions.set(id, {
      id,
      secret,
      tty: options.tty,
      size: { cols: options.cols, rows: options.rows },
      held: [],
      started: false,
      exited: false,
      timer,
    });
    this.bySecret.set(secret, id);
    return secret;
  }

  /** Whether this session runs with a TTY (its transport treats `\x04` differently without). */
  tty(secret: string): boolean | undefined {
    const id = this.bySecret.get(secret);
    return id === undefined ? undefined : this.sessions.get(id)?.tty;
  }

  /** A client with the secret; undefined if unknown, used or expired. */
  joinClient(secret: string, end: AttachEnd): AttachPort | undefined {
    const id = this.bySecret.get(secret);
    const s = id === undefined ? undefined : this.sessions.get(id);
    if (!s || s.client) return undefined;
    this.bySecret.delete(secret);
    s.client = end;
    this.deps.log.info({ oneOff: s.id }, 'one-off client attached');
    this.maybeStart(s);
    return {
      data: (chunk) => (s.agent ? s.agent.data(chunk) : s.held.push(chunk)),
      control: (m) => {
        if (m.type === 'resize') s.size = { cols: m.cols, rows: m.rows };
        if (m.type !== 'resize' && m.type !== 'eof') return;
        if (s.agent && s.started) s.agent.control(m);
        else if (m.type === 'eof') s.held.push(m);
      },
      closed: () => {
        s.client = undefined;
        if (s.exited) return this.forget(s);
        this.deps.log.info({ oneOff: s.id }, 'one-off client left: stopping the process');
        s.agent?.close();
        if (!s.started) this.abandon(s.id, 'its client left before it started');
        else this.forget(s);
      },
    };
  }

  /** The agent's side of a one-off; undefined if there is no such session (or one is there). */
  joinAgent(id: string, end: AttachEnd): AttachPort | undefined {
    const s = this.sessions.get(id);
    if (!s || s.agent) return undefined;
    s.agent = end;
    this.maybeStart(s);
    return {
      data: (chunk) => {
        s.client?.data(chunk);
        this.throttle(s);
      },
      control: (m) => {
        if (m.type !== 'exit') return;
        s.exited = true;
        s.client?.control(m);
        s.client?.close();
      },
      closed: () => {
        s.agent = undefined;
        if (!s.exited && s.client) {
          s.client.control({ type: 'error', message: 'lost the connection to the process' });
          s.client.close();
        }
        this.forget(s);
      },
    };
  }

  close(): void {
    for (const s of [...this.sessions.values()]) {
      s.client?.close();
      s.agent?.close();
      this.forget(s);
    }
  }

  private maybeStart(s: Session): void {
    if (s.started || !s.client || !s.agent) return;
    s.started = true;
    clearTimeout(s.timer);
    s.agent.control({ type: 'start', ...(s.size.cols && s.size.rows ? s.size : {}) } as AttachControl);
    for (const item of s.held) {
      if (Buffer.isBuffer(item)) s.agent.data(item);
      else s.agent.control(item);
    }
    s.held = [];
  }

  /** Back-pressure: a client that reads slowly pauses the agent's side until it catches up. */
  private throttle(s: Session): void {
    if (s.drain || !s.client?.backlog || s.client.backlog() < HIGH_WATER) return;
    s.agent?.pause?.();
    s.drain = setInterval(() => {
      if (s.client?.backlog && s.client.backlog() > LOW_WATER) return;
      clearInterval(s.drain);
      s.drain = undefined;
      s.agent?.resume?.();
    }, 20);
  }

  private abandon(id: string, why: string): void {
    const s = this.sessions.get(id);
    if (!s || s.started) return;
    this.deps.log.warn({ oneOff: id, why }, 'one-off session abandoned');
    s.client?.control({ type: 'error', message: `the process did not start: ${why}` });
    s.client?.close();
    s.agent?.close();
    this.forget(s);
    this.deps.onAbandoned(id);
  }

  private forget(s: Session): void {
    clearTimeout(s.timer);
    clearInterval(s.drain);
    this.bySecret.delete(s.secret);
    if (this.sessions.get(s.id) === s) this.sessions.delete(s.id);
  }
}
