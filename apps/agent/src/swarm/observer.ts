/**
 * Watches this engine's Swarm task containers of the platform (the `swarm` runtime): which
 * ones to ship logs of (as `web.<slot>`), and the process events of each in the app's log.
 * It never starts, stops or removes them: Swarm does. With the `agents` runtime there are none.
 */
import type { Logger } from '../logger.js';
import type { LogTarget } from '../logs/shipper.js';
import type { Runtime } from '../runtime/runtime.js';
import { type ObservedEvent, observe, type Seen, swarmLabels, swarmProcess } from './observe.js';

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
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SwarmObserverDeps) {}

  setPlatform(platformId: string): void {
    this.platformId = platformId;
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
      const { events, next } = observe(this.seen, containers, !this.adopted);
      this.adopted = true;
      this.seen = next;
      for (const e of events) this.deps.onEvent(e);
      this.current = containers.flatMap((c) => {
        const p = swarmProcess(c);
        return p ? [{ containerId: c.id, app: p.app, process: p.process }] : [];
      });
      this.deps.onTargets(this.current);
    } catch (err) {
      this.deps.log.error({ err }, 'could not list swarm task containers; looking again on the next pass');
    }
  }
}
