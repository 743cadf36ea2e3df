/**
 * Log drains: every line of an app's log also goes to each of its drains, in batches. HTTP(S)
 * drains get Heroku's framing (POST, `application/logplex-1`, octet-counted RFC 5424 frames,
 * `Logplex-Msg-Count`, `Logplex-Frame-Id`, `Logplex-Drain-Token`); `syslog+tcp://` drains get
 * the same frames over one kept-open TCP connection. A drain that fails is retried with
 * back-off (1 s doubling to 30 s) and never holds anything up: its lines wait in a bounded
 * queue (the oldest dropped past it), and its failures and drops are told in the app's log.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Logger } from '../logger.js';
import { findApp } from '../store/apps.js';
import type { Db } from '../store/db.js';
import { type DrainRow, listDrains } from '../store/drains.js';
import type { AppRef, LogEntry, LogRouter } from './logs.js';
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

class DrainSender {
  private queue: LogEntry[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private backoff = 0;
  private retryAt = 0;
  private socket: net.Socket | undefined;
  private closed = false;

  constructor(
    readonly row: DrainRow,
    private readonly app: AppRef,
    private readonly logs: LogRouter,
    private readonly log: Logger,
  ) {}

  enqueue(entries: LogEntry[]): void {
    if (this.closed) return;
    for (const e of entries) this.queue.push(e);
    const over = this.queue.length - MAX_QUEUE;
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped += over;
    }
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
    if (this.busy || this.queue.length === 0 || this.closed) return;
    this.busy = true;
    const batch = this.queue.slice(0, BATCH);
    const body = batch.map((e) => octetFrame(syslogMessage(e, this.row.token))).join('');
    try {
      await this.send(body, batch.length);
      this.queue.splice(0, batch.length);
      this.backoff = 0;
      this.retryAt = 0;
      if (this.dropped > 0) {
        const n = this.dropped;
        this.dropped = 0;
        this.logs.event(
          this.app,
          'logs',
          `Error L10 (output buffer overflow): drain ${safeUrl(this.row.url)} dropped ${n} messages`,
        );
      }
    } catch (err) {
      this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff ? this.backoff * 2 : BACKOFF_MIN_MS);
      this.retryAt = Date.now() + this.backoff;
      const reason = (err as Error).message;
      this.log.warn({ app: this.app.name, drain: safeUrl(this.row.url), reason }, 'drain delivery failed');
      this.logs.event(
        this.app,
        'logs',
        `Error L13 (local delivery error): drain ${safeUrl(this.row.url)} failed: ${reason}; retrying in ${this.backoff / 1000}s`,
      );
    } finally {
      this.busy = false;
    }
    if (this.queue.length > 0) this.schedule(this.queue.length >= BATCH ? 0 : BATCH_MS);
  }

  private send(body: string, count: number): Promise<void> {
    const url = new URL(this.row.url);
    return url.protocol === 'syslog+tcp:' ? this.sendTcp(url, body) : this.sendHttp(url, body, count);
  }

  private sendHttp(url: URL, body: string, count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(
        url,
        {
          method: 'POST',
          timeout: TIMEOUT_MS,
          headers: {
            'content-type': 'application/logplex-1',
            'content-length': Buffer.byteLength(body),
            'logplex-msg-count': String(count),
            'logplex-frame-id': randomUUID(),
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
      req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000}s`)));
      req.on('error', (err) => reject(new Error((err as NodeJS.ErrnoException).code ?? err.message)));
      req.end(body);
    });
  }

  private async sendTcp(url: URL, body: string): Promise<void> {
    if (!this.socket || this.socket.destroyed) {
      const socket = net.connect({ host: url.hostname, port: Number(url.port) });
      socket.setTimeout(TIMEOUT_MS);
      this.socket = socket;
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', (err) => reject(new Error((err as NodeJS.ErrnoException).code ?? err.message)));
        socket.once('timeout', () => socket.destroy(new Error('connect timeout')));
      });
      socket.on('error', () => socket.destroy());
      socket.on('data', () => {}); // a syslog server has nothing to say; keep the socket flowing
    }
    const socket = this.socket;
    await new Promise<void>((resolve, reject) => {
      socket.write(body, (err) => {
        if (err) {
          socket.destroy();
          reject(new Error((err as NodeJS.ErrnoException).code ?? err.message));
        } else resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.destroy();
  }
}

export interface DrainManagerDeps {
  db: Db;
  logs: LogRouter;
  log: Logger;
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
      for (const sender of this.senders.values()) if (sender.row.app_id === app.id) sender.enqueue(entries);
    });
  }

  added(row: DrainRow, app: AppRef): void {
    this.senders.get(row.id)?.close();
    this.senders.set(row.id, new DrainSender(row, app, this.deps.logs, this.deps.log));
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
