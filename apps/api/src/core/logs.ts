/**
 * The log router (as Heroku's Logplex, from the platform's side): every app's lines from the
 * agents and the platform's own events, numbered per app, the last 1,500 kept (in memory and in
 * the store, so history survives a restart), fanned out to live subscribers and to listeners
 * (drains). No transport here: routes give subscribers a sink. A subscriber never slows anything down (core/log-subscription.ts).
 */
import { LOG_HISTORY_LINES, type LogLine, preciseNow } from '@paas/shared';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { appendLogLines, lastLogLines, trimLogLines } from '../store/logs.js';
import type { LogEntry } from '../store/rows.js';
import { type LogFilter, type LogSink, matches, Subscription } from './log-subscription.js';

export type { LogEntry } from '../store/rows.js';
export type { LogFilter, LogSink } from './log-subscription.js';

/** A congested subscriber's slack: some seconds of a busy app's output. */
const SUBSCRIBER_QUEUE_BYTES = 8 * 1024 * 1024;

export interface AppRef {
  id: string;
  name: string;
}

export type LogListener = (app: AppRef, entries: LogEntry[]) => void;

/**
 * Writes of its own in the same transaction as the lines (the log intake's positions), and a
 * call once they are stored (its acknowledgements).
 */
export interface StoreParticipant {
  /** Something is waiting to be written or acknowledged. */
  dirty(): boolean;
  write(db: Db): void;
  stored(): void;
}

/** Lines kept for the store while it fails to take them; past that the oldest go. */
const MAX_PENDING_LINES = 200_000;

interface AppLog {
  ref: AppRef;
  /** Newest last; at most `history` entries (trimmed in halves, not per line). */
  entries: LogEntry[];
  nextSeq: number;
  subscribers: Set<Subscription>;
}

export interface LogRouterDeps {
  db: Db;
  log: Logger;
  history?: number;
  /** Bytes of lines a congested subscriber may have queued before they are dropped. */
  subscriberQueueBytes?: number;
  /** How often new lines are written to the store. */
  flushMs?: number;
}

export class LogRouter {
  private readonly apps = new Map<string, AppLog>();
  private readonly listeners = new Set<LogListener>();
  private pending: { appId: string; entries: LogEntry[] }[] = [];
  private pendingLines = 0;
  private readonly participants = new Set<StoreParticipant>();
  private readonly timer: NodeJS.Timeout;
  private readonly history: number;

  constructor(private readonly deps: LogRouterDeps) {
    this.history = deps.history ?? LOG_HISTORY_LINES;
    this.timer = setInterval(() => this.flush(), deps.flushMs ?? 250);
    this.timer.unref();
  }

  private app(ref: AppRef): AppLog {
    let app = this.apps.get(ref.id);
    if (!app) {
      const entries = lastLogLines(this.deps.db, ref.id, this.history);
      app = { ref, entries, nextSeq: (entries.at(-1)?.seq ?? 0) + 1, subscribers: new Set() };
      this.apps.set(ref.id, app);
    }
    return app;
  }

  /** Lines of an app (from an agent, or the platform), in the order given. */
  publish(ref: AppRef, lines: LogLine[]): void {
    if (lines.length === 0) return;
    const app = this.app(ref);
    const entries: LogEntry[] = lines.map((l) => ({
      seq: app.nextSeq++,
      ts: l.ts,
      source: l.source,
      process: l.process,
      line: l.line,
    }));
    for (const e of entries) app.entries.push(e);
    if (app.entries.length > this.history * 2) app.entries.splice(0, app.entries.length - this.history);
    this.pending.push({ appId: ref.id, entries });
    this.pendingLines += entries.length;
    while (this.pendingLines > MAX_PENDING_LINES && this.pending.length > 1) {
      this.pendingLines -= this.pending.shift()?.entries.length ?? 0;
    }
    for (const sub of app.subscribers) for (const e of entries) sub.offer(e);
    for (const listener of this.listeners) {
      try {
        listener(ref, entries);
      } catch (err) {
        this.deps.log.error({ err }, 'log listener failed');
      }
    }
  }

  /** A platform event in the app's log: `paas[process]: line`. */
  event(ref: AppRef, process: string, line: string): void {
    this.publish(ref, [{ ts: preciseNow(), source: 'paas', process, line }]);
  }

  /** The last `num` lines that pass the filter, oldest first. */
  recent(ref: AppRef, filter: LogFilter, num: number): LogEntry[] {
    const out: LogEntry[] = [];
    const entries = this.app(ref).entries;
    const floor = entries.length - this.history;
    for (let i = entries.length - 1; i >= Math.max(0, floor) && out.length < num; i--) {
      const e = entries[i] as LogEntry;
      if (matches(filter, e)) out.push(e);
    }
    return out.reverse();
  }

  /** Lines after `seq` that pass the filter (a reconnecting subscriber's gap), oldest first. */
  since(ref: AppRef, filter: LogFilter, seq: number): LogEntry[] {
    return this.app(ref).entries.filter((e) => e.seq > seq && matches(filter, e));
  }

  subscribe(ref: AppRef, filter: LogFilter, sink: LogSink): Subscription {
    const sub = new Subscription(filter, sink, this.deps.subscriberQueueBytes ?? SUBSCRIBER_QUEUE_BYTES);
    this.app(ref).subscribers.add(sub);
    return sub;
  }

  unsubscribe(ref: AppRef, sub: Subscription): void {
    sub.close();
    this.apps.get(ref.id)?.subscribers.delete(sub);
  }

  /** Every entry of every app as it is published (drains). */
  listen(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes of a participant go with each flush of lines, in the same transaction. */
  participate(participant: StoreParticipant): void {
    this.participants.add(participant);
  }

  /**
   * Writes pending lines to the store and trims each app's history there, in one transaction
   * with the participants' writes; then tells the participants. If the store fails, everything
   * stays pending for the next flush (and nothing is acknowledged).
   */
  flush(): void {
    const participants = [...this.participants].filter((p) => p.dirty());
    if (this.pending.length === 0 && participants.length === 0) return;
    const pending = this.pending;
    const { db } = this.deps;
    try {
      db.transaction(() => {
        appendLogLines(db, pending);
        for (const appId of new Set(pending.map((p) => p.appId))) {
          const next = this.apps.get(appId)?.nextSeq;
          if (next !== undefined) trimLogLines(db, appId, next - this.history);
        }
        for (const p of participants) p.write(db);
      }).immediate();
    } catch (err) {
      this.deps.log.error({ err }, 'could not store log lines; retrying');
      return;
    }
    this.pending = [];
    this.pendingLines = 0;
    for (const p of participants) {
      try {
        p.stored();
      } catch (err) {
        this.deps.log.error({ err }, 'log store participant failed');
      }
    }
  }

  /** An app is gone: its subscribers end, its history is dropped. */
  forget(appId: string): void {
    const app = this.apps.get(appId);
    if (app) for (const sub of app.subscribers) sub.close();
    this.apps.delete(appId);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
