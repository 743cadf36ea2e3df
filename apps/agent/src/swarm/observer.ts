/**
 * Watches this engine's Swarm task containers of the platform (the `swarm` runtime): which
 * ones to ship logs of (as `web.<slot>`), and the process events of each in the app's log.
 * It never starts, stops or removes them: Swarm does. With the `agents` runtime there are none.
 */
import type { Logger } from '../logger.js';
import type { LogTarget } from '../logs/shipper.js';
import type { Runtime } from '../runtime/runtime.js';
import {
  type KillsSeen,
  killLines,
  type ObservedEvent,
  observe,
  type Seen,
  type SwarmProcess,
  swarmLabels,
  swarmProcess,
} from './observe.js';

export interface SwarmObserverDeps {
  runtime: Runtime;
  log: Logger;
  onEvent: (event: ObservedEvent) => void;
  /** The targets changed (or were listed again): follow their logs. */
  onTargets: (targets: LogTarget[]) => void;
}

export class SwarmObserver {
  private platformId: string | undefined;
  private seen = new Map<string, Seen>();
  private adopted = false;
  private current: LogTarget[] = [];
  private known = new Map<string, SwarmProcess>();
  /** Signals seen per container (a stop's SIGTERM, then its SIGKILL after the grace period). */
  private readonly kills = new Map<string, KillsSeen>();
  private running: Promise<void> | undefined;

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
    if (!p) return;
    const seen = this.kills.get(containerId) ?? { term: false, kill: false };
    const { lines, next } = killLines(seen, signal, p.stopTimeout);
    this.kills.set(containerId, next);
    for (const line of lines) this.deps.onEvent({ app: p.app, process: p.process, line });
  }

  /** A task container of the last look, by id (undefined: not one of this platform's here). */
  process(containerId: string): SwarmProcess | undefined {
    return this.known.get(containerId);
  }

  /** The task containers of the last look. */
  targets(): LogTarget[] {
    return this.current;
  }

  /** Looks again (calls during a look share it). */
  pass(): Promise<void> {
    this.running ??= this.look().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async look(): Promise<void> {
    if (!this.platformId) return;
    try {
      const containers = await this.deps.runtime.list(swarmLabels(this.platformId));
      const { events, next } = observe(this.seen, containers, !this.adopted, new Set(this.kills.keys()));
      this.adopted = true;
      this.seen = next;
      for (const e of events) this.deps.onEvent(e);
      this.known = new Map(
        containers.flatMap((c) => {
          const p = swarmProcess(c);
          return p ? [[c.id, p] as const] : [];
        }),
      );
      for (const id of this.kills.keys()) if (!this.known.has(id)) this.kills.delete(id);
      this.current = [...this.known.values()].map((p) => ({
        containerId: p.containerId,
        app: p.app,
        process: p.process,
      }));
      this.deps.onTargets(this.current);
    } catch (err) {
      this.deps.log.error({ err }, 'could not list swarm task containers; looking again on the next pass');
    }
  }
}
