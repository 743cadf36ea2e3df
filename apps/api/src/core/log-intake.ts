/**
 * Agents' log lines in, at least once, each line kept once. An agent numbers its lines per run
 * and resends what the api has not acknowledged; a restarted agent reads its containers' logs
 * again from the last acknowledged place. So the same line may arrive twice, and here it is
 * recognised: a container's line by its place in Docker's log (per container and stream these
 * only grow), any other line by the agent run's sequence number. New lines go to the log
 * router; the positions are stored in the same transaction as the lines, and only then is the
 * agent told (`logs-ack`) that it may forget them.
 */
import type { AgentMessage, LogCursor, ShippedLine } from '@paas/shared';
import type { Logger } from '../logger.js';
import { findApp } from '../store/apps.js';
import type { Db } from '../store/db.js';
import { loadAgentRun, loadCursors, type Position, saveIntake } from '../store/log-intake.js';
import type { LogRouter, StoreParticipant } from './logs.js';

type LogsMessage = Extract<AgentMessage, { type: 'logs' }>;
type Stream = LogCursor['stream'];

/** Is a at or before b? Docker's times are fixed width, so they compare as text. Pure. */
export function notAfter(a: Position, b: Position): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.part <= b.part);
}

export interface LogIntakeDeps {
  db: Db;
  logs: LogRouter;
  log: Logger;
}

/** Containers whose positions are kept in memory before the map is started afresh. */
const MAX_CONTAINERS = 10_000;

export class LogIntake implements StoreParticipant {
  private readonly positions = new Map<string, Partial<Record<Stream, Position>>>();
  private readonly runs = new Map<string, { run: string; seq: number }>();
  private dirtyPositions = new Map<string, LogCursor>();
  private dirtyRuns = new Map<string, { run: string; seq: number }>();
  private acks: { send: (run: string, seq: number) => void; run: string; seq: number }[] = [];

  constructor(private readonly deps: LogIntakeDeps) {
    deps.logs.participate(this);
  }

  /** A `logs` message from an agent; `ack` is called once its lines are stored. */
  receive(agentId: string, message: LogsMessage, ack: (run: string, seq: number) => void): void {
    const known = this.runOf(agentId);
    const fresh: ShippedLine[] = [];
    let last = 0;
    for (const line of message.lines) {
      last = Math.max(last, line.seq);
      if (this.seen(known, message.run, line)) continue;
      fresh.push(line);
    }
    if (last > 0 && (known?.run !== message.run || last > known.seq)) {
      const run = { run: message.run, seq: last };
      this.runs.set(agentId, run);
      this.dirtyRuns.set(agentId, run);
    }
    this.publish(fresh);
    if (last > 0) this.acks.push({ send: ack, run: message.run, seq: last });
  }

  private seen(known: { run: string; seq: number } | undefined, run: string, line: ShippedLine): boolean {
    if (!line.cursor) return known?.run === run && line.seq <= known.seq;
    const { container, stream } = line.cursor;
    const positions = this.positionsOf(container);
    const at = positions[stream];
    if (at && notAfter(line.cursor, at)) return true;
    positions[stream] = { ts: line.cursor.ts, part: line.cursor.part };
    this.dirtyPositions.set(`${container}/${stream}`, line.cursor);
    return false;
  }

  /** Publishes lines in their order, a run of one app's lines at a time. */
  private publish(lines: ShippedLine[]): void {
    const apps = new Map<string, { id: string; name: string } | null>();
    let i = 0;
    while (i < lines.length) {
      const name = (lines[i] as ShippedLine).app;
      let j = i;
      while (j < lines.length && (lines[j] as ShippedLine).app === name) j++;
      if (!apps.has(name)) {
        const found = findApp(this.deps.db, name);
        apps.set(name, found ? { id: found.id, name: found.name } : null);
      }
      const ref = apps.get(name);
      if (ref) {
        this.deps.logs.publish(
          ref,
          lines.slice(i, j).map((l) => ({ ts: l.ts, source: l.source, process: l.process, line: l.line })),
        );
      } // else: destroyed meanwhile; its lines go nowhere, and are acknowledged all the same
      i = j;
    }
  }

  private positionsOf(container: string): Partial<Record<Stream, Position>> {
    let p = this.positions.get(container);
    if (!p) {
      if (this.positions.size >= MAX_CONTAINERS) this.positions.clear();
      p = loadCursors(this.deps.db, container);
      // Accepted but not yet stored positions are newer than the store's.
      for (const stream of ['stdout', 'stderr'] as const) {
        const pending = this.dirtyPositions.get(`${container}/${stream}`);
        if (pending) p[stream] = { ts: pending.ts, part: pending.part };
      }
      this.positions.set(container, p);
    }
    return p;
  }

  private runOf(agentId: string): { run: string; seq: number } | undefined {
    let r = this.runs.get(agentId);
    if (!r) {
      r = loadAgentRun(this.deps.db, agentId);
      if (r) this.runs.set(agentId, r);
    }
    return r;
  }

  dirty(): boolean {
    return this.acks.length > 0 || this.dirtyPositions.size > 0 || this.dirtyRuns.size > 0;
  }

  write(db: Db): void {
    saveIntake(
      db,
      [...this.dirtyPositions.values()],
      [...this.dirtyRuns].map(([agentId, r]) => ({ agentId, ...r })),
    );
  }

  stored(): void {
    this.dirtyPositions = new Map();
    this.dirtyRuns = new Map();
    const acks = this.acks;
    this.acks = [];
    for (const a of acks) a.send(a.run, a.seq);
  }
}
