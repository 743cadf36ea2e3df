/**
 * Ships this host's log lines to the api: every line each process prints (stdout and stderr,
 * read through the runtime and timestamped as read), the router's request lines and the
 * agent's events about processes. Lines are batched per app (a message every 25 ms at most)
 * over the agent's connection. While the api is unreachable or slow to read, lines wait in a
 * bounded buffer; past it the oldest are dropped and counted, and the count goes with the next
 * batch so the app's log says how many were lost.
 */
import { type AgentMessage, type LogLine, type LogSource, preciseNow } from '@paas/shared';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/runtime.js';
import { LineSplitter } from './lines.js';

export interface ShipperDeps {
  runtime: Runtime;
  /** Sends a message if the api is connected and keeping up; false otherwise. */
  send: (message: AgentMessage) => boolean;
  log: Logger;
  /** Lines kept while they cannot be sent. */
  maxBuffered?: number;
  flushMs?: number;
}

/** A container whose output should be in its app's log. */
export interface LogTarget {
  containerId: string;
  app: string;
  process: string;
  /** When it started (ISO), to read only what this agent has not read before. */
  startedAt: string | null;
}

const BATCH_LINES = 2000;
const BATCH_BYTES = 4 * 1024 * 1024;

export class LogShipper {
  private readonly following = new Map<string, () => void>();
  /** Containers whose output was read to the end: never followed again. */
  private readonly finished = new Set<string>();
  private buffer = new Map<string, LogLine[]>();
  private buffered = 0;
  private readonly dropped = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private closed = false;

  constructor(private readonly deps: ShipperDeps) {}

  /** Follows the output of these containers (ones already followed or finished are skipped). */
  sync(targets: LogTarget[]): void {
    const seen = new Set<string>();
    for (const t of targets) {
      seen.add(t.containerId);
      if (this.following.has(t.containerId) || this.finished.has(t.containerId)) continue;
      this.follow(t);
    }
    for (const id of this.finished) if (!seen.has(id)) this.finished.delete(id);
  }

  private follow(t: LogTarget): void {
    // A container this agent started (or saw start) is read from its start; one adopted from a
    // previous agent run, from now: the previous run shipped what came before.
    const started = t.startedAt ? Date.parse(t.startedAt) : 0;
    const since = started >= this.startedAt - 1000 ? 0 : Math.floor(this.startedAt / 1000);
    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    const stop = this.deps.runtime.follow(
      t.containerId,
      since,
      (stream, chunk) => {
        for (const line of splitters[stream].push(chunk)) this.line(t.app, 'app', t.process, line);
      },
      () => {
        for (const s of [splitters.stdout, splitters.stderr]) {
          for (const line of s.end()) this.line(t.app, 'app', t.process, line);
        }
        this.following.delete(t.containerId);
        this.finished.add(t.containerId);
      },
    );
    this.following.set(t.containerId, stop);
  }

  /** One line of an app's log. */
  line(app: string, source: LogSource, process: string, line: string): void {
    if (this.closed) return;
    let lines = this.buffer.get(app);
    if (!lines) {
      lines = [];
      this.buffer.set(app, lines);
    }
    lines.push({ ts: preciseNow(), source, process, line });
    this.buffered++;
    if (this.buffered > (this.deps.maxBuffered ?? 50_000)) {
      lines.shift();
      this.buffered--;
      this.dropped.set(app, (this.dropped.get(app) ?? 0) + 1);
    }
    this.timer ??= setTimeout(() => this.flush(), this.deps.flushMs ?? 25);
  }

  /** Sends what is buffered, in batches; what cannot be sent now waits for the next try. */
  flush(): void {
    this.timer = undefined;
    while (this.buffered > 0) {
      const apps: { app: string; lines: LogLine[]; dropped?: number }[] = [];
      let lines = 0;
      let bytes = 0;
      for (const [app, queued] of this.buffer) {
        if (queued.length === 0) continue;
        let n = 0;
        while (n < queued.length && lines < BATCH_LINES && bytes < BATCH_BYTES) {
          bytes += (queued[n] as LogLine).line.length + 64;
          n++;
          lines++;
        }
        const dropped = this.dropped.get(app);
        apps.push({ app, lines: queued.slice(0, n), ...(dropped ? { dropped } : {}) });
        if (lines >= BATCH_LINES || bytes >= BATCH_BYTES) break;
      }
      if (!this.deps.send({ type: 'logs', apps })) {
        this.timer = setTimeout(() => this.flush(), 250); // not connected, or the api is behind
        return;
      }
      for (const a of apps) {
        const queued = this.buffer.get(a.app) as LogLine[];
        queued.splice(0, a.lines.length);
        this.buffered -= a.lines.length;
        if (queued.length === 0) this.buffer.delete(a.app);
        this.dropped.delete(a.app);
      }
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const stop of this.following.values()) stop();
    this.following.clear();
  }
}
