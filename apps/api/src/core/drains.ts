/**
 * Log drains: every line of an app's log also goes to each of its drains, in batches. HTTP(S)
 * drains get Heroku's framing (POST, `application/logplex-1`, octet-counted RFC 5424 frames,
 * `Logplex-Msg-Count`, `Logplex-Frame-Id`, `Logplex-Drain-Token`); `syslog+tcp://` drains get
 * the same frames over one kept-open TCP connection. A drain that fails is retried with
 * back-off (1 s doubling to 30 s) and never holds anything up: its lines wait in a bounded
 * queue (the oldest dropped past it), and its failures and drops are told in the app's log:
 * generically (no status, no error code, nothing the receiver said: a drain is no port
 * scanner), the details only in the platform's own log. Drains reach public addresses only
 * (drain-guard.ts), checked on the address each connection actually goes to.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Logger } from '../logger.js';
import { findApp } from '../store/apps.js';
import type { Db } from '../store/db.js';
import { listDrains } from '../store/drains.js';
import type { DrainRow, LogEntry } from '../store/rows.js';
import { type DrainGuard, DrainRefused } from './drain-guard.js';
import type { AppRef, LogRouter } from './logs.js';
import { octetFrame, syslogMessage } from './syslog.js';

const MAX_QUEUE = 10_000;
const BATCH = 500;
const BATCH_MS = 500;
const TIMEOUT_MS = 10_000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

/** The drain's URL as shown in the app's log: without credentials. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** Our own reports (`paas[logs]`): a drain that holds only these does not report its failures. */
const isReport = (e: LogEntry) => e.source === 'paas' && e.process === 'logs';

/** An error's short reason for the app's log: the errno code (ECONNREFUSED) or the message. */
const reason = (err: unknown) => {
  if (err instanceof DrainRefused) return err;
  const e = err as NodeJS.ErrnoException;
  return new Error(e.code ?? e.message);
};

interface Batch {
  entries: LogEntry[];
  /** Octet-counted frames, as sent. */
  body: string;
  /** `Logplex-Frame-Id`: the same on every retry of the batch, so a receiver can tell. */
  frameId: string;
}

class DrainSender {
  private queue: LogEntry[] = [];
  /** Out of the queue while it is being sent, and kept as it is until it is delivered. */
  private batch: Batch | undefined;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private backoff = 0;
  private retryAt = 0;
  private socket: net.Socket | undefined;
  private request: http.ClientRequest | undefined;
  private closed = false;

  constructor(
    readonly row: DrainRow,
    private app: AppRef,
    private readonly logs: LogRouter,
    private readonly log: Logger,
    private readonly guard: DrainGuard,
  ) {}

  enqueue(app: AppRef, entries: LogEntry[]): void {
    if (this.closed) return;
    this.app = app;
    for (const e of entries) this.queue.push(e);
    const over = this.queue.length + (this.batch?.entries.length ?? 0) - MAX_QUEUE;
    if (over > 0) this.dropped += this.queue.splice(0, over).length;
    this.schedule(this.queue.length >= BATCH ? 0 : BATCH_MS);
  }

  private schedule(ms: number): void {
    if (this.timer || this.busy || this.closed) return;
    const wait = Math.max(ms, this.retryAt - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    if (this.busy || this.closed) return;
    if (!this.batch) {
      if (this.queue.length === 0) return;
      const entries = this.queue.splice(0, BATCH);
      const body = entries.map((e) => octetFrame(syslogMessage(e, this.row.token))).join('');
      this.batch = { entries, body, frameId: randomUUID() };
    }
    const batch = this.batch;
    this.busy = true;
    try {
      await this.send(batch);
      this.batch = undefined;
      this.backoff = 0;
      this.retryAt = 0;
      if (this.dropped > 0 && !this.closed) {
        const n = this.dropped;
        this.dropped = 0;
        this.logs.event(
          this.app,
          'logs',
          `Error L10 (output buffer overflow): drain ${safeUrl(this.row.url)} dropped ${n} messages`,
        );
      }
    } catch (err) {
      if (this.closed) return;
      this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff ? this.backoff * 2 : BACKOFF_MIN_MS);
      this.retryAt = Date.now() + this.backoff;
      const why = (err as Error).message;
      this.log.warn({ app: this.app.name, drain: safeUrl(this.row.url), reason: why }, 'drain delivery failed');
      // What the receiver answered (a status, a refused port) stays in the platform's log.
      const told = err instanceof DrainRefused ? `refused: ${why}` : 'failed: could not deliver';
      // A drain holding nothing but reports would otherwise report its own failures forever.
      if (!batch.entries.every(isReport) || !this.queue.every(isReport))
        this.logs.event(
          this.app,
          'logs',
          `Error L13 (local delivery error): drain ${safeUrl(this.row.url)} ${told}; retrying in ${this.backoff / 1000}s`,
        );
    } finally {
      this.busy = false;
    }
    if (this.batch || this.queue.length > 0) this.schedule(this.queue.length >= BATCH ? 0 : BATCH_MS);
  }

  private async send(batch: Batch): Promise<void> {
    const url = new URL(this.row.url);
    // A literal address is connected to as is (no lookup): checked here. Names: in `lookup`.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (net.isIP(host)) {
      const why = this.guard.refusal(host);
      if (why) throw new DrainRefused(host, why);
    }
    return url.protocol === 'syslog+tcp:' ? this.sendTcp(url, batch) : this.sendHttp(url, batch);
  }

  private sendHttp(url: URL, batch: Batch): Promise<void> {
    return new Promise((resolve, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(
        url,
        {
          method: 'POST',
          lookup: this.guard.lookup(),
          headers: {
            'content-type': 'application/logplex-1',
            'content-length': Buffer.byteLength(batch.body),
            'logplex-msg-count': String(batch.entries.length),
            'logplex-frame-id': batch.frameId,
            'logplex-drain-token': this.row.token,
            'user-agent': 'paas-logplex',
          },
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`HTTP ${status}`));
        },
      );
      this.request = req;
      // The whole exchange, not only idle time: a receiver that trickles is a failed one too.
      const timer = setTimeout(() => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
      req.on('close', () => {
        clearTimeout(timer);
        if (this.request === req) this.request = undefined;
      });
      req.on('error', (err) => reject(reason(err)));
      req.end(batch.body);
    });
  }

  private connect(url: URL): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // [::1] in a URL, ::1 to connect
      const socket = net.connect({ host, port: Number(url.port), lookup: this.guard.lookup() });
      this.socket = socket;
      const timer = setTimeout(() => socket.destroy(new Error(`no connection in ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(reason(err));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        // A later error destroys the socket; the next batch finds it so and reconnects.
        socket.on('error', (err) => this.log.debug({ drain: safeUrl(this.row.url), err }, 'drain connection lost'));
        socket.resume(); // a syslog server has nothing to say; keep the socket flowing
        resolve(socket);
      });
    });
  }

  private async sendTcp(url: URL, batch: Batch): Promise<void> {
    const socket = this.socket && !this.socket.destroyed ? this.socket : await this.connect(url);
    if (this.closed) socket.destroy();
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => {
        clearTimeout(timer);
        socket.destroy();
        reject(reason(err));
      };
      // A receiver that stops reading fills the socket's buffers: give up on the connection.
      const timer = setTimeout(() => fail(new Error(`not written in ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
      socket.write(batch.body, (err) => {
        if (err) fail(err);
        else {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.request?.destroy();
    this.socket?.destroy();
  }
}

export interface DrainManagerDeps {
  db: Db;
  logs: LogRouter;
  log: Logger;
  guard: DrainGuard;
}

export class DrainManager {
  private readonly senders = new Map<string, DrainSender>();
  private unlisten: (() => void) | undefined;

  constructor(private readonly deps: DrainManagerDeps) {}

  start(): void {
    for (const row of listDrains(this.deps.db)) {
      const app = findApp(this.deps.db, row.app_id);
      if (app) this.added(row, { id: app.id, name: app.name });
    }
    this.unlisten = this.deps.logs.listen((app, entries) => {
      for (const sender of this.senders.values()) if (sender.row.app_id === app.id) sender.enqueue(app, entries);
    });
  }

  /** Why a drain may not send to this URL (drain-guard.ts `refusalOf`), or undefined. */
  refusal(url: string): Promise<string | undefined> {
    return this.deps.guard.refusalOf(url);
  }

  added(row: DrainRow, app: AppRef): void {
    this.senders.get(row.id)?.close();
    this.senders.set(row.id, new DrainSender(row, app, this.deps.logs, this.deps.log, this.deps.guard));
  }

  removed(id: string): void {
    this.senders.get(id)?.close();
    this.senders.delete(id);
  }

  removedApp(appId: string): void {
    for (const [id, sender] of this.senders) if (sender.row.app_id === appId) this.removed(id);
  }

  close(): void {
    this.unlisten?.();
    for (const sender of this.senders.values()) sender.close();
    this.senders.clear();
  }
}
