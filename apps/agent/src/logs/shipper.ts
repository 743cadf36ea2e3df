/**
 * Ships this host's log lines to the api, at least once: every line each process prints
 * (stdout and stderr, read from Docker's log with Docker's timestamps), the router's request
 * lines and the agent's events about processes.
 *
 * Every line gets a sequence number of this agent run and waits in the outbox until the api
 * acknowledges that it has stored it (`logs-ack`); after a reconnect everything unacknowledged
 * is sent again, and the api drops what it already has. Lines of a container also carry their
 * place in Docker's log (a cursor); the acknowledged cursors are saved, so a restarted agent
 * reads each container's log from where the api's copy ends, including what the container
 * printed while the agent was down. The outbox is bounded (lines and bytes); past that the
 * oldest lines are dropped and an `Error L12` line in the app's log says how many.
 */
import { randomUUID } from 'node:crypto';
import { type AgentMessage, type LogCursor, type LogSource, preciseNow, type ShippedLine } from '@paas/shared';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/runtime.js';
import { dockerSince, FrameParser, isoMicros, notAfter } from './frames.js';
import { LineSplitter } from './lines.js';

/** Per container: the last acknowledged position of each stream. */
export type Cursors = Record<string, Partial<Record<'stdout' | 'stderr', { ts: string; part: number }>>>;

export interface ShipperDeps {
  runtime: Runtime;
  /** Sends a message if the api is connected and keeping up; false otherwise. */
  send: (message: AgentMessage) => boolean;
  log: Logger;
  /** This agent's id, named in the app's log when lines are lost. */
  agentId: string;
  /** Cursors saved by a previous run (acknowledged positions). */
  cursors?: Cursors;
  /** The acknowledged cursors changed: keep them (the agent saves them to disk). */
  onCursors?: (cursors: Cursors) => void;
  /** Bounds of the outbox. */
  maxLines?: number;
  maxBytes?: number;
  flushMs?: number;
}

/** A container whose output should be in its app's log. */
export interface LogTarget {
  containerId: string;
  app: string;
  process: string;
}

const BATCH_LINES = 2000;
const BATCH_BYTES = 4 * 1024 * 1024;
/** What an outbox line costs besides its text. */
const LINE_OVERHEAD = 160;

export class LogShipper {
  /** This run's id: sequence numbers are per run. */
  readonly run = randomUUID();
  private seq = 0;
  /** Unacknowledged lines in order; `outbox[head]` is the oldest, `outbox[sendAt]` the next to send. */
  private outbox: ShippedLine[] = [];
  private head = 0;
  private sendAt = 0;
  private bytes = 0;
  private readonly dropped = new Map<string, number>();
  private readonly following = new Map<string, { stop: () => void; ended: Promise<void> }>();
  /** Containers whose output was read to the end: never followed again. */
  private readonly finished = new Set<string>();
  private readonly cursors: Cursors;
  /** Per container: the place of the last line put in the outbox (a re-follow goes on from it). */
  private readonly read: Cursors = {};
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: ShipperDeps) {
    this.cursors = { ...(deps.cursors ?? {}) };
  }

  /** Follows the output of these containers (ones already followed or finished are skipped). */
  sync(targets: LogTarget[]): void {
    const seen = new Set<string>();
    for (const t of targets) {
      seen.add(t.containerId);
      this.ensureFollowing(t);
    }
    for (const id of this.finished) if (!seen.has(id)) this.finished.delete(id);
  }

  /** Follows one container's output unless it is followed already or was read to its end. */
  ensureFollowing(t: LogTarget): void {
    if (this.closed || this.following.has(t.containerId) || this.finished.has(t.containerId)) return;
    this.follow(t);
  }

  /** Resolves once the container's output has been read to its end (or after `timeoutMs`). */
  async readToEnd(containerId: string, timeoutMs = 3000): Promise<void> {
    const f = this.following.get(containerId);
    if (!f) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([f.ended, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Forgets the cursors of containers that no longer exist. */
  prune(existing: Set<string>): void {
    let changed = false;
    for (const id of Object.keys(this.read)) if (!existing.has(id) && !this.following.has(id)) delete this.read[id];
    for (const id of Object.keys(this.cursors)) {
      if (!existing.has(id) && !this.following.has(id)) {
        delete this.cursors[id];
        changed = true;
      }
    }
    if (changed) this.deps.onCursors?.(this.cursors);
  }

  private follow(t: LogTarget): void {
    // Read from the acknowledged position on (inclusive; lines at or before it are skipped),
    // or from the container's start when nothing of it was acknowledged.
    const resume = { ...this.cursors[t.containerId], ...this.read[t.containerId] };
    const starts = [resume.stdout?.ts, resume.stderr?.ts].filter((ts): ts is string => ts !== undefined).sort();
    const since = resume.stdout && resume.stderr ? (starts[0] as string) : null;
    const frames = new FrameParser();
    const streams = {
      stdout: { splitter: new LineSplitter(), ts: '', parts: 0 },
      stderr: { splitter: new LineSplitter(), ts: '', parts: 0 },
    };
    const emit = (stream: 'stdout' | 'stderr', ts: string, lines: string[], firstPart: number) => {
      lines.forEach((line, i) => {
        const cursor: LogCursor = { container: t.containerId, stream, ts, part: firstPart + i };
        const done = resume[stream];
        if (ts && done && notAfter(cursor, done)) return; // sent (or stored) already
        this.push(t.app, 'app', t.process, line, ts ? { ts: isoMicros(ts), cursor } : undefined);
        if (ts) this.read[t.containerId] = { ...this.read[t.containerId], [stream]: { ts, part: cursor.part } };
      });
    };
    let resolveEnded = () => {};
    const ended = new Promise<void>((r) => (resolveEnded = r));
    const stop = this.deps.runtime.follow(
      t.containerId,
      since === null ? null : dockerSince(since),
      (chunk) => {
        for (const f of frames.push(chunk)) {
          const s = streams[f.stream];
          const lines = s.splitter.push(f.payload);
          s.ts = f.ts;
          s.parts = lines.length;
          emit(f.stream, f.ts, lines, 0);
        }
      },
      () => void this.ended(t, streams, emit).finally(resolveEnded),
    );
    this.following.set(t.containerId, { stop, ended });
  }

  /**
   * The log stream ended: the container exited (its last partial lines are its last lines), or
   * the link to Docker broke (then the next sync follows it again from where this left off).
   */
  private async ended(
    t: LogTarget,
    streams: Record<'stdout' | 'stderr', { splitter: LineSplitter; ts: string; parts: number }>,
    emit: (stream: 'stdout' | 'stderr', ts: string, lines: string[], firstPart: number) => void,
  ): Promise<void> {
    let exited = false;
    try {
      const info = await this.deps.runtime.inspect(t.containerId);
      // Gone, or stopped after it ran; one not started yet has no end to read to.
      exited = info === null || (!info.running && info.startedAt !== null);
    } catch (err) {
      this.deps.log.warn({ err, container: t.containerId }, 'log stream broke; following again soon');
    }
    if (!exited) this.deps.log.info({ container: t.containerId }, 'log stream ended early; following again');
    if (exited) {
      for (const name of ['stdout', 'stderr'] as const) {
        const s = streams[name];
        emit(name, s.ts, s.splitter.end(), s.parts);
      }
      this.finished.add(t.containerId);
    }
    this.following.delete(t.containerId);
  }

  /** One line of an app's log from the platform (router, events), said now or at `ts`. */
  line(app: string, source: LogSource, process: string, line: string, ts?: string): void {
    this.push(app, source, process, line, ts ? { ts } : undefined);
  }

  private push(
    app: string,
    source: LogSource,
    process: string,
    line: string,
    from?: { ts: string; cursor?: LogCursor },
  ): void {
    if (this.closed) return;
    const entry: ShippedLine = {
      seq: ++this.seq,
      app,
      ts: from?.ts ?? preciseNow(),
      source,
      process,
      line,
      ...(from?.cursor ? { cursor: from.cursor } : {}),
    };
    this.outbox.push(entry);
    this.bytes += line.length + LINE_OVERHEAD;
    const maxLines = this.deps.maxLines ?? 50_000;
    const maxBytes = this.deps.maxBytes ?? 32 * 1024 * 1024;
    while (this.outbox.length - this.head > maxLines || this.bytes > maxBytes) this.dropOldest();
    this.timer ??= setTimeout(() => this.flush(), this.deps.flushMs ?? 25);
  }

  private dropOldest(): void {
    const oldest = this.outbox[this.head] as ShippedLine;
    this.forgetHead();
    this.dropped.set(oldest.app, (this.dropped.get(oldest.app) ?? 0) + 1);
  }

  private forgetHead(): void {
    const oldest = this.outbox[this.head] as ShippedLine;
    this.outbox[this.head] = undefined as unknown as ShippedLine;
    this.head++;
    this.bytes -= oldest.line.length + LINE_OVERHEAD;
    if (this.sendAt < this.head) this.sendAt = this.head;
    if (this.head > 4096 && this.head * 2 > this.outbox.length) {
      this.outbox = this.outbox.slice(this.head);
      this.sendAt -= this.head;
      this.head = 0;
    }
  }

  /** Sends what is not sent yet, in batches; what cannot be sent now waits for the next try. */
  flush(): void {
    this.timer = undefined;
    if (this.closed) return;
    const lost = [...this.dropped];
    this.dropped.clear();
    for (const [app, count] of lost) {
      this.push(
        app,
        'paas',
        'logs',
        `Error L12 (local buffer overflow): agent ${this.deps.agentId} dropped ${count} messages`,
      );
    }
    while (this.sendAt < this.outbox.length) {
      const lines: ShippedLine[] = [];
      let bytes = 0;
      for (let i = this.sendAt; i < this.outbox.length && lines.length < BATCH_LINES && bytes < BATCH_BYTES; i++) {
        const entry = this.outbox[i] as ShippedLine;
        lines.push(entry);
        bytes += entry.line.length + LINE_OVERHEAD;
      }
      if (!this.deps.send({ type: 'logs', run: this.run, lines })) {
        this.timer = setTimeout(() => this.flush(), 250); // not connected, or the api is behind
        return;
      }
      this.sendAt += lines.length;
    }
  }

  /** The api stored every line of `run` up to `seq`. */
  ack(run: string, seq: number): void {
    if (run !== this.run) return;
    let moved = false;
    while (this.head < this.outbox.length && (this.outbox[this.head] as ShippedLine).seq <= seq) {
      const { cursor } = this.outbox[this.head] as ShippedLine;
      if (cursor) {
        const entry = this.cursors[cursor.container] ?? {};
        entry[cursor.stream] = { ts: cursor.ts, part: cursor.part };
        this.cursors[cursor.container] = entry;
        moved = true;
      }
      this.forgetHead();
    }
    if (moved) this.deps.onCursors?.(this.cursors);
  }

  /** The connection (re)opened: everything unacknowledged goes again, in order. */
  resend(): void {
    this.sendAt = this.head;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), 0);
  }

  /** Lines waiting for the api's acknowledgement. */
  pending(): number {
    return this.outbox.length - this.head;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const f of this.following.values()) f.stop();
    this.following.clear();
  }
}
