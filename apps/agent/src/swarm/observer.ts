/**
 * Watches this engine's Swarm task containers of the platform (the `swarm` runtime): which
 * ones to ship logs of (as `web.<slot>`), and the process events of each in the app's log.
 * It never starts, stops or removes them: Swarm does. With the `agents` runtime there are none.
 */
import type { Logger } from '../logger.js';
import type { LogTarget } from '../logs/shipper.js';
import type { Runtime } from '../runtime/runtime.js';
import { type ObservedEvent, observe, type Seen, type SwarmProcess, swarmLabels, swarmProcess } from './observe.js';

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
  /** Kill events seen per container (Swarm's SIGTERM, then its SIGKILL after the grace period). */
  private readonly kills = new Map<string, number>();
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SwarmObserverDeps) {}

  setPlatform(platformId: string): void {
    this.platformId = platformId;
  }

  /** Swarm signalled a task container (a stop): said as the agents runtime says its own stops. */
  killed(containerId: string): void {
    const p = this.known.get(containerId);
    if (!p) return;
    const n = (this.kills.get(containerId) ?? 0) + 1;
    this.kills.set(containerId, n);
    if (n <= 2) {
      this.deps.onEvent({
        app: p.app,
        process: p.process,
        line: n === 1 ? 'Stopping process with SIGTERM' : 'Stopping process with SIGKILL',
      });
    }
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
