/**
 * What the agent does and remembers for one-offs (the decisions are plan-one-off.ts): which
 * it has launched (kept on disk by main.ts, so a restarted agent never starts one again),
 * how each ended, and which attached ones have their link to the api open. Starting one: a
 * detached one runs at once; an attached one is created, attached and handed to the
 * AttachBridge, which starts it when its client arrives.
 */
import type { DesiredProcess } from '@paas/shared';
import type { AttachBridge } from './attach.js';
import type { Logger } from './logger.js';
import { EVENTS } from './logs/events.js';
import type { OneOffEnd, OneOffMemory } from './plan-one-off.js';
import type { ContainerSpec, Runtime } from './runtime/runtime.js';

export interface OneOffRunnerDeps {
  runtime: Runtime;
  log: Logger;
  bridge?: AttachBridge;
  say: (d: Pick<DesiredProcess, 'app' | 'name'>, line: string) => void;
  /** Something changed: reconcile again. */
  trigger: () => void;
  /** The launched set changed: save it. */
  onLaunched?: (launched: string[]) => void;
  /** One-offs launched before (from disk). */
  launched?: string[];
}

export class OneOffRunner {
  private launched: Set<string>;
  private finished = new Map<string, OneOffEnd>();
  private readonly attached = new Set<string>();

  constructor(private readonly deps: OneOffRunnerDeps) {
    this.launched = new Set(deps.launched ?? []);
  }

  memory(): Omit<OneOffMemory, 'stopping'> {
    return { launched: this.launched, finished: this.finished, attached: this.attached };
  }

  launchedList(): string[] {
    return [...this.launched];
  }

  /** After a pass: the ends the plan knows; one-offs the api no longer wants are forgotten. */
  afterPlan(finished: Map<string, OneOffEnd>, desired: Iterable<DesiredProcess>): void {
    this.finished = finished;
    const keys = new Set([...desired].filter((d) => d.oneOff).map((d) => d.key));
    const kept = new Set([...this.launched].filter((k) => keys.has(k)));
    if (kept.size !== this.launched.size) {
      this.launched = kept;
      this.deps.onLaunched?.(this.launchedList());
    }
  }

  /** A one-off the agent stopped (ps:stop, timeout, its client gone): its end. */
  stopped(key: string, exitCode: number | null): void {
    this.finished.set(key, { exitCode, at: new Date().toISOString() });
  }

  async start(d: DesiredProcess, spec: ContainerSpec): Promise<void> {
    const { runtime, log, say, bridge } = this.deps;
    this.launched.add(d.key);
    this.deps.onLaunched?.(this.launchedList());
    say(d, EVENTS.starting(d.command));
    try {
      if (d.oneOff?.attach && bridge) {
        const info = await runtime.create(spec);
        this.attached.add(info.id);
        void bridge.open(info, d, {
          onStarted: () => {
            say(d, EVENTS.changed('starting', 'up'));
            this.deps.trigger(); // report it up now
          },
          onLost: () => {
            this.attached.delete(info.id);
            this.deps.trigger();
          },
        });
      } else {
        await runtime.run(spec);
        say(d, EVENTS.changed('starting', 'up'));
      }
      log.info({ process: d.name, app: d.app, attach: d.oneOff?.attach }, 'one-off started');
    } catch (err) {
      log.error({ err, process: d.name, app: d.app }, 'could not start a one-off');
      say(d, EVENTS.failedToStart((err as Error).message ?? String(err)));
      this.finished.set(d.key, { exitCode: null, at: new Date().toISOString() });
    }
  }
}
