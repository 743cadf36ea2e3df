/**
 * Watches this engine's Swarm task containers of the platform (the `swarm` runtime): which
 * ones to ship logs of (as `web.<slot>`), and the process events of each in the app's log.
 * Swarm starts, restarts and stops them; the agent adds what Swarm lacks, as the agents
 * runtime does for its own processes: the crash back-off (it opens each task's start gate
 * when the slot's back-off allows, gate.ts) and the boot timeout (a web process not healthy
 * within PAAS_BOOT_TIMEOUT of its start is killed, R10, which Swarm takes as a failed task).
 * With the `agents` runtime there are none.
 */
import { Passes, SWARM_GATE_FILE, type SwarmGate } from '@paas/shared';
import type { Logger } from '../logger.js';
import { EVENTS } from '../logs/events.js';
import type { LogTarget } from '../logs/shipper.js';
import type { ContainerInfo, Runtime } from '../runtime/runtime.js';
import { SlotBackoff } from './gate.js';
import {
  endedInCrash,
  isGated,
  type KillsSeen,
  killLines,
  type ObservedEvent,
  observe,
  type Seen,
  type SwarmProcess,
  swarmLabels,
  swarmProcess,
} from './observe.js';

const BOOT_TIMEOUT_LABEL = 'paas.boot-timeout';

export interface SwarmObserverDeps {
  runtime: Runtime;
  log: Logger;
  onEvent: (event: ObservedEvent) => void;
  /** The targets changed (or were listed again): follow their logs. */
  onTargets: (targets: LogTarget[]) => void;
  /** The closed gates changed (the api shows those processes crashed). */
  onGates?: (gates: SwarmGate[]) => void;
}

export class SwarmObserver {
  private platformId: string | undefined;
  private seen = new Map<string, Seen>();
  private adopted = false;
  private current: LogTarget[] = [];
  private known = new Map<string, SwarmProcess>();
  /** Signals seen per container (a stop's SIGTERM, then its SIGKILL after the grace period). */
  private readonly kills = new Map<string, KillsSeen>();
  private readonly backoff = new SlotBackoff();
  /** When each running container's process started or starts (its gate opens), ms. */
  private readonly opens = new Map<string, number>();
  /** Containers killed here past their boot timeout (R10): their end is said already. */
  private readonly r10 = new Set<string>();
  /** Containers whose crash the back-off has counted (at their `die` event, or by a look). */
  private readonly counted = new Set<string>();
  /** The `die` events being read (a `start` after them waits: its gate depends on them). */
  private deaths: Promise<void> = Promise.resolve();
  private gates: SwarmGate[] = [];
  private wake: NodeJS.Timeout | undefined;
  /** One look at a time; calls during a look make one more after it (what they saw may be newer). */
  private readonly looks = new Passes(
    () => this.look(),
    (err) => this.deps.log.error({ err }, 'a look at swarm task containers failed'),
  );

  /** When this agent started: a task container started since then was never announced. */
  private readonly bornAt = Date.now();

  constructor(private readonly deps: SwarmObserverDeps) {}

  setPlatform(platformId: string): void {
    this.platformId = platformId;
  }

  /**
   * A task container was signalled (Swarm stopping it, or its agent for `ps:stop`): said as the
   * agents runtime says its own stops. `signal` is the kill event's (`15`, `9`); without one,
   * the first kill is taken as the SIGTERM and the next as the SIGKILL.
   */
  killed(containerId: string, signal?: string): void {
    const p = this.known.get(containerId);
    if (!p || this.r10.has(containerId)) return;
    const seen = this.kills.get(containerId) ?? { term: false, kill: false };
    const { lines, next } = killLines(seen, signal, p.stopTimeout);
    this.kills.set(containerId, next);
    // A process still at its gate never ran: stopping it is no news.
    if (this.seen.get(containerId) === 'gated') return;
    for (const line of lines) this.deps.onEvent({ app: p.app, process: p.process, line });
  }

  /** A task container of the last look, by id (undefined: not one of this platform's here). */
  process(containerId: string): SwarmProcess | undefined {
    return this.known.get(containerId);
  }

  /**
   * A task container ended (Docker's `die` event): a crash is counted at once from that one
   * container, not at the next look, which on a busy engine (every task container inspected)
   * can come seconds later, and with it the gate of the slot's next container.
   */
  died(containerId: string): Promise<void> {
    this.deaths = this.deaths.then(async () => {
      if (!this.adopted) return;
      const c = await this.deps.runtime.inspect(containerId).catch(() => null);
      if (!c || c.labels['paas.platform'] !== this.platformId) return;
      const now = Date.now();
      const stopped = new Set(this.kills.keys());
      if (endedInCrash(c, { stopped, open: (x) => this.gateOpened(x, now), said: this.r10 })) this.countCrash(c, now);
    });
    return this.deaths;
  }

  /**
   * A task container started (Docker's event, with its labels): its gate is told at once, not
   * after the next look, so a restart waits no longer than its back-off (counted at the `die`
   * before it).
   */
  async started(containerId: string, labels: Record<string, string>): Promise<void> {
    if (!this.adopted) return;
    await this.deaths;
    if (this.opens.has(containerId) || labels['paas.gated'] !== '1') return;
    if (labels['paas.platform'] !== this.platformId) return;
    this.openGate({ id: containerId, labels }, Date.now());
  }

  /** The task containers of the last look. */
  targets(): LogTarget[] {
    return this.current;
  }

  /** Follows this engine's task containers' events (kills said, gates told at start); returns an unsubscribe. */
  watch(): () => void {
    return this.deps.runtime.watch(
      { 'paas.runtime': 'swarm' },
      (id, action, attributes) => {
        if (action === 'kill') this.killed(id, attributes.signal);
        if (action === 'die') void this.died(id);
        if (action === 'start') void this.started(id, attributes);
        void this.pass();
      },
      ['start', 'die', 'destroy', 'kill'],
    );
  }

  /** The task containers waiting at a closed gate after a crash. */
  closedGates(): SwarmGate[] {
    return this.gates;
  }

  /** Looks again; calls during a look make one more after it (what they saw may be newer). */
  pass(): Promise<void> {
    return this.looks.trigger();
  }

  close(): void {
    clearTimeout(this.wake);
  }

  private async look(): Promise<void> {
    if (!this.platformId) return;
    try {
      const containers = await this.deps.runtime.list(swarmLabels(this.platformId));
      let now = Date.now();
      const adopt = !this.adopted;
      // At the first look, what runs is taken as it is: its gate (if it still waits) opens now.
      if (adopt) for (const c of containers) if (c.running && isGated(c)) this.openGate(c, now);
      for (const c of containers) {
        if (c.running && !isGated(c) && !this.opens.has(c.id)) this.opens.set(c.id, startedMs(c, now));
      }
      const open = (c: ContainerInfo) => this.gateOpened(c, now);
      const stopped = new Set(this.kills.keys());
      // Adopted silently: what started before this agent (its predecessor said the start). A task
      // Swarm started after it, before its first look (the api's welcome came late), is said.
      const adoptIt = (c: ContainerInfo) => adopt && startedMs(c, now) < this.bornAt;
      const { events, next, crashed } = observe(this.seen, containers, adoptIt, { stopped, open, said: this.r10 });
      this.adopted = true;
      this.seen = next;
      for (const e of events) this.deps.onEvent(e);
      for (const c of crashed) this.countCrash(c, now);
      // New containers (Swarm's restarts among them): their gates, from their slots' back-off.
      now = Date.now();
      for (const c of containers) {
        if (c.running && isGated(c) && !this.opens.has(c.id)) this.openGate(c, now);
      }
      const deadlines = this.bootTimeouts(containers, now);
      this.remember(containers);
      // Look again when a gate opens (at once for one open now: its start is said then) or a
      // boot timeout passes.
      const opening = containers.flatMap((c) => {
        const at = this.opens.get(c.id);
        return c.running && at !== undefined && this.seen.get(c.id) === 'gated' ? [at] : [];
      });
      this.schedule([...opening, ...deadlines]);
    } catch (err) {
      this.deps.log.error({ err }, 'could not list swarm task containers; looking again on the next pass');
    }
  }

  /** Its gate opened: by `now`, or, for one that ended, before its end (else it ended at its gate). */
  private gateOpened(c: ContainerInfo, now: number): boolean {
    const end = c.running ? now : Date.parse(c.finishedAt ?? '') || now;
    return (this.opens.get(c.id) ?? Number.POSITIVE_INFINITY) <= end;
  }

  /** Counts a crash in its slot's back-off, once per container. */
  private countCrash(c: ContainerInfo, now: number): void {
    const p = swarmProcess(c);
    if (!p || this.counted.has(c.id)) return;
    this.counted.add(c.id);
    const died = Date.parse(c.finishedAt ?? '');
    const ran = died - (this.opens.get(c.id) ?? startedMs(c, now));
    // The back-off counts from the death (Docker's time), not from when it was seen: a look
    // that comes late (a busy engine) must not lengthen the wait.
    const at = Number.isFinite(died) && died <= now ? died : now;
    this.backoff.crashed(p.slot, c.exitCode, Number.isFinite(ran) ? ran : 0, at);
  }

  /** Decides when a container's process runs and tells its gate (how many seconds to wait). */
  private openGate(c: Pick<ContainerInfo, 'id' | 'labels'>, now: number): number {
    const p = swarmProcess(c);
    const at = p && this.adopted ? this.backoff.opensAt(p.slot, now) : now;
    this.opens.set(c.id, at);
    const seconds = Math.max(0, (at - Date.now()) / 1000).toFixed(3);
    this.deps.log.debug({ container: c.id.slice(0, 12), process: p?.process, seconds }, 'opening a task gate');
    this.deps.runtime.putFile(c.id, SWARM_GATE_FILE, `${seconds}\n`).catch((err) => {
      // Gone already, or an image without a writable root: its gate goes on by itself (~5 s).
      this.deps.log.debug({ err, container: c.id.slice(0, 12) }, 'could not open a task gate');
    });
    return at;
  }

  /**
   * A web process not healthy within its boot timeout of its start is killed, as a crash
   * (R10). Returns the deadlines still ahead.
   */
  private bootTimeouts(containers: ContainerInfo[], now: number): number[] {
    const ahead: number[] = [];
    for (const c of containers) {
      const p = swarmProcess(c);
      const seconds = Number(c.labels[BOOT_TIMEOUT_LABEL]);
      const started = this.opens.get(c.id);
      if (!p || !c.running || !seconds || started === undefined || this.r10.has(c.id)) continue;
      if (this.seen.get(c.id) !== 'starting') continue;
      if (now < started + seconds * 1000) {
        ahead.push(started + seconds * 1000);
        continue;
      }
      this.r10.add(c.id);
      this.counted.add(c.id);
      for (const line of [EVENTS.bootTimeout(seconds), EVENTS.changed('starting', 'crashed'), EVENTS.sigkill]) {
        this.deps.onEvent({ app: p.app, process: p.process, line });
      }
      this.backoff.crashed(p.slot, null, now - started, now);
      this.deps.log.warn({ app: p.app, process: p.process }, 'boot timeout: killing a swarm task (R10)');
      this.deps.runtime.kill(c.id, 'SIGKILL').catch((err) => {
        this.deps.log.error({ err, container: c.id.slice(0, 12) }, 'could not kill a task past its boot timeout');
      });
    }
    return ahead;
  }

  private remember(containers: ContainerInfo[]): void {
    this.known = new Map(
      containers.flatMap((c) => {
        const p = swarmProcess(c);
        return p ? [[c.id, p] as const] : [];
      }),
    );
    for (const id of this.kills.keys()) if (!this.known.has(id)) this.kills.delete(id);
    for (const id of this.opens.keys()) if (!this.known.has(id)) this.opens.delete(id);
    for (const id of this.r10) if (!this.known.has(id)) this.r10.delete(id);
    for (const id of this.counted) if (!this.known.has(id)) this.counted.delete(id);
    // Logs are followed once a container started: a stream of one only created ends at once, and
    // would be taken for its end (its output lost).
    const started = new Set(containers.filter((c) => c.running || c.startedAt !== null).map((c) => c.id));
    this.current = [...this.known.values()]
      .filter((p) => started.has(p.containerId))
      .map((p) => ({ containerId: p.containerId, app: p.app, process: p.process }));
    this.deps.onTargets(this.current);
    const now = Date.now();
    this.backoff.prune(now);
    const gates = containers.flatMap((c): SwarmGate[] => {
      const p = swarmProcess(c);
      const at = this.opens.get(c.id);
      const h = p ? this.backoff.history(p.slot) : undefined;
      if (!c.running || at === undefined || at <= now || !h) return [];
      const iso = (ms: number) => new Date(ms).toISOString();
      return [
        { containerId: c.id, since: iso(h.crashedAt), exitCode: h.exitCode, restarts: h.restarts, until: iso(at) },
      ];
    });
    if (JSON.stringify(gates) !== JSON.stringify(this.gates)) {
      this.gates = gates;
      this.deps.onGates?.(gates);
    }
  }

  /** Looks again at the next of these times (gates opening, boot timeouts passing). */
  private schedule(times: number[]): void {
    clearTimeout(this.wake);
    if (times.length === 0) return;
    this.wake = setTimeout(() => void this.pass(), Math.max(0, Math.min(...times) - Date.now()) + 10);
    this.wake.unref();
  }
}

function startedMs(c: ContainerInfo, now: number): number {
  const t = Date.parse(c.startedAt ?? '');
  return Number.isFinite(t) ? t : now;
}
