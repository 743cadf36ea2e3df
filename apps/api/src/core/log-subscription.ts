/**
 * One live subscriber of an app's log. It never slows anything down: when its sink is
 * congested, lines queue up to a bound and then are counted and dropped; once it drains it is
 * told how many it lost (`Error L10 (output buffer overflow): N messages dropped since …`).
 */
import { type LogLine, type LogSource, preciseNow } from '@paas/shared';
import type { LogEntry } from '../store/rows.js';

/** What a queued line costs besides its text (timestamp, names, the object). */
const ENTRY_OVERHEAD = 96;

export interface LogFilter {
  /** A process name (web.1) or a process type (web). */
  ps?: string;
  source?: LogSource;
}

export function matches(filter: LogFilter, e: LogLine): boolean {
  if (filter.source && e.source !== filter.source) return false;
  if (filter.ps) {
    if (filter.ps.includes('.')) return e.process === filter.ps;
    return e.process === filter.ps || e.process.startsWith(`${filter.ps}.`);
  }
  return true;
}

/** Where a subscriber's lines go. `write` answers false when the sink wants no more for now. */
export interface LogSink {
  write(entry: LogEntry): boolean;
  /** Calls back once when a congested sink can take lines again. */
  onDrain(callback: () => void): void;
}

export class Subscription {
  private queue: LogEntry[] = [];
  /** Index of the next queued line to send (shift() would copy a long queue every time). */
  private head = 0;
  private congested = false;
  private queuedBytes = 0;
  private dropped = 0;
  private droppedSince = '';
  closed = false;

  constructor(
    readonly filter: LogFilter,
    private readonly sink: LogSink,
    /** Bytes of lines a congested subscriber may have waiting before they are dropped. */
    private readonly maxQueueBytes: number,
  ) {}

  offer(entry: LogEntry): void {
    if (this.closed || !matches(this.filter, entry)) return;
    if (!this.congested) {
      if (!this.sink.write(entry)) this.congest();
      return;
    }
    const size = entry.line.length + ENTRY_OVERHEAD;
    if (this.queuedBytes + size <= this.maxQueueBytes) {
      this.queue.push(entry);
      this.queuedBytes += size;
    } else {
      if (this.dropped === 0) this.droppedSince = entry.ts;
      this.dropped++;
    }
  }

  private congest(): void {
    this.congested = true;
    this.sink.onDrain(() => this.flush());
  }

  private flush(): void {
    if (this.closed) return;
    this.congested = false;
    if (this.dropped > 0) {
      const notice: LogEntry = {
        seq: this.queue[this.head]?.seq ?? 0,
        ts: preciseNow(),
        source: 'paas',
        process: 'logs',
        line: `Error L10 (output buffer overflow): ${this.dropped} messages dropped since ${this.droppedSince}`,
      };
      this.dropped = 0;
      if (!this.sink.write(notice)) {
        this.congest();
        return;
      }
    }
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head++] as LogEntry;
      this.queuedBytes -= entry.line.length + ENTRY_OVERHEAD;
      if (!this.sink.write(entry)) {
        if (this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.congest();
        return;
      }
    }
    this.queue = [];
    this.head = 0;
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
  }
}
