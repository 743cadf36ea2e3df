/**
 * Level-triggered reconciliation: converges this host's containers on the desired set, as
 * often as anything changes (a new desired set, a container event, a timer). The decisions are
 * `plan.ts` (pure); this module observes (lists containers, probes new web processes), acts on
 * the plan (start, stop gracefully, remove) and says what happened in the app's log. It never
 * touches a container without this platform's and this agent's labels, and no failure here is
 * fatal: a failed Docker call is logged and the next pass tries again.
 */
import { type DesiredProcess, LABELS, Passes, type ProcessStatus } from '@paas/shared';
import type { AttachBridge } from './attach.js';
import { containerSpec } from './container-spec.js';
import type { Logger } from './logger.js';
import { EVENTS } from './logs/events.js';
import { OneOffRunner } from './one-off-runner.js';
import { type AgentMemory, type CrashHistory, type Plan, plan, recordCrash, type StopReason } from './plan.js';
import { probeUntilUp } from './probe.js';
import type { ContainerInfo, Runtime } from './runtime/runtime.js';
import { stopContainer } from './stop.js';

export interface ReconcilerDeps {
  runtime: Runtime;
  agentId: string;
  log: Logger;
  /** Every process's state, when it changed. */
  onStatus: (processes: ProcessStatus[]) => void;
  /** Every process's state after each pass (to follow logs, forget drains). */
  onPass?: (processes: ProcessStatus[]) => void;
  /** Before SIGTERM: take the process out of routing and let its in-flight requests finish. */
  beforeStop?: (container: ContainerInfo) => Promise<void>;
  /** Before an exited container is removed: read the rest of its output. */
  beforeRemove?: (container: ContainerInfo) => Promise<void>;
  /** The container is gone (or its stop failed): routing may forget it. */
  afterStop?: (container: ContainerInfo) => void;
  /** A line for the app's log about one of its processes. */
  onEvent?: (app: string, process: string, line: string) => void;
  /** Milliseconds between probes of a new web process. */
  probeEveryMs?: number;
  /** Connects attached one-offs to the api (none: they run detached). */
  bridge?: AttachBridge;
  /** One-offs launched before (from disk), and where to say the set changed. */
  launched?: string[];
  onLaunched?: (launched: string[]) => void;
}

export class Reconciler {
  private desired = new Map<string, DesiredProcess>();
  private platformId: string | undefined;
  private history = new Map<string, CrashHistory>();
  private readonly upSince = new Map<string, string>();
  private readonly stopping = new Set<string>();
  private readonly stoppedByUs = new Set<string>();
  private readonly probing = new Set<string>();
  /** Containers this run of the agent started (an adopted one coming up is not news). */
  private readonly startedHere = new Set<string>();
  private readonly passes = new Passes(
    () => this.reconcile(),
    (err) => this.deps.log.error({ err }, 'reconcile failed; retrying on the next pass'),
  );
  private wake: NodeJS.Timeout | undefined;
  private lastStatus = '';
  private statuses: ProcessStatus[] = [];

  private readonly oneOffs: OneOffRunner;

  constructor(private readonly deps: ReconcilerDeps) {
    const say = (d: Pick<DesiredProcess, 'app' | 'name'>, line: string) => this.say(d, line);
    this.oneOffs = new OneOffRunner({ ...deps, say, trigger: () => void this.trigger() });
  }

  launchedOneOffs(): string[] {
    return this.oneOffs.launchedList();
  }

  get labels(): Record<string, string> | undefined {
    return this.platformId ? { [LABELS.platform]: this.platformId, [LABELS.agent]: this.deps.agentId } : undefined;
  }

  setPlatform(platformId: string): void {
    this.platformId = platformId;
  }

  setDesired(processes: DesiredProcess[]): void {
    this.desired = new Map(processes.map((p) => [p.key, p]));
    void this.trigger();
  }

  desiredList(): DesiredProcess[] {
    return [...this.desired.values()];
  }

  currentStatus(): ProcessStatus[] {
    return this.statuses;
  }

  /** Stops the running containers of these keys now; still desired, they come back. */
  async stopNow(keys: string[]): Promise<void> {
    const labels = this.labels;
    if (!labels) return;
    try {
      const containers = await this.deps.runtime.list(labels);
      for (const c of containers) {
        if (c.running && keys.includes(c.labels[LABELS.key] ?? '')) this.stopInBackground(c, 'extra');
      }
    } catch (err) {
      this.deps.log.error({ err }, 'could not list containers to stop them');
    }
  }

  /** Runs a reconciliation soon; calls while one runs coalesce into one more. */
  trigger(): Promise<void> {
    return this.passes.trigger();
  }

  /** Stops the timers (the agent is stopping; its containers stay). */
  close(): void {
    clearTimeout(this.wake);
  }

  private memory(): AgentMemory {
    return {
      history: this.history,
      upSince: this.upSince,
      stopping: this.stopping,
      stoppedByUs: this.stoppedByUs,
      oneOffs: this.oneOffs.memory(),
    };
  }

  private async reconcile(): Promise<void> {
    const labels = this.labels;
    if (!labels) return; // not yet told which platform we serve: touch nothing
    // Add-on containers are services.ts's, never a process's: not even "extra".
    const observed = (await this.deps.runtime.list(labels)).filter((c) => !c.labels[LABELS.service]);
    const now = Date.now();
    const next = plan([...this.desired.values()], observed, this.memory(), now);
    this.oneOffs.afterPlan(next.finished, this.desired.values());
    this.history = next.history;
    // States first: a process seen up joins the router before the one it replaces is drained.
    this.statuses = next.statuses;
    const serialized = JSON.stringify(next.statuses);
    if (serialized !== this.lastStatus) {
      this.lastStatus = serialized;
      this.deps.onStatus(next.statuses);
    }
    this.act(next);
    await this.removeExited(next);
    if (next.start.length) {
      await Promise.all(next.start.map((d) => this.startOne(d)));
      this.passes.again(); // look at what was started (and replace what it replaces)
    }
    clearTimeout(this.wake);
    if (next.wakeAt !== null) this.wake = setTimeout(() => void this.trigger(), next.wakeAt - now + 10);

    this.deps.onPass?.(next.statuses);
  }

  private act(next: Plan): void {
    for (const exit of next.exits) {
      if (exit.oneOff && exit.container.startedAt) {
        this.say(exit.process, EVENTS.exited(exit.oneOff.exitCode));
        this.say(exit.process, EVENTS.complete('up'));
      }
      if (exit.container.oomKilled && exit.container.startedAt) this.sayOutOfMemory(exit.process, exit.container);
      if (!exit.crashed) continue;
      const d = exit.process;
      const h = next.history.get(d.key);
      this.say(d, EVENTS.exited(exit.container.exitCode));
      this.say(
        d,
        EVENTS.changed(this.upSince.has(exit.container.id) || d.type !== 'web' ? 'up' : 'starting', 'crashed'),
      );
      this.deps.log.warn(
        { process: d.name, app: d.app, exitCode: exit.container.exitCode, restarts: h?.restarts },
        'process crashed',
      );
    }
    for (const { container, reason, process } of next.stop) {
      if (reason === 'boot-timeout' && process) {
        this.say(process, EVENTS.bootTimeout(process.bootTimeout ?? 60));
        this.say(process, EVENTS.changed('starting', 'crashed'));
      }
      this.stopInBackground(container, reason);
    }
    for (const { container, process } of next.probe) this.watchUp(container, process);
  }

  private async removeExited(next: Plan): Promise<void> {
    for (const c of next.remove) {
      try {
        await this.deps.beforeRemove?.(c);
        await this.deps.runtime.remove(c.id);
      } catch (err) {
        this.deps.log.error({ err, container: c.id }, 'could not remove an exited container');
        continue;
      }
      this.upSince.delete(c.id);
      this.stoppedByUs.delete(c.id);
      this.startedHere.delete(c.id);
    }
  }

  /**
   * Killed by the kernel at its memory limit: Heroku's words. The limit is hard (no swap), so
   * being over the quota (R14) and being killed for it (R15) are the same moment here.
   */
  private sayOutOfMemory(d: DesiredProcess, c: ContainerInfo): void {
    this.deps.log.warn({ process: d.name, app: d.app, container: c.id.slice(0, 12) }, 'out of memory: killed');
    if (c.memoryLimit) this.say(d, EVENTS.memoryRunning(c.memoryLimit));
    this.say(d, EVENTS.memoryQuota);
    this.say(d, EVENTS.memoryVastlyExceeded);
    this.say(d, EVENTS.sigkill);
  }

  private say(d: Pick<DesiredProcess, 'app' | 'name'>, line: string): void {
    this.deps.onEvent?.(d.app, d.name, line);
  }

  private async startOne(d: DesiredProcess): Promise<void> {
    if (d.oneOff) return this.oneOffs.start(d, containerSpec(d, this.platformId ?? '', this.deps.agentId));
    const { log } = this.deps;
    this.say(d, EVENTS.starting(d.command));
    try {
      const info = await this.start(d);
      if (d.type === 'web') this.startedHere.add(info.id);
      log.info({ process: d.name, app: d.app, release: d.release.version, container: info.id.slice(0, 12) }, 'started');
      if (d.type === 'web') {
        if (info.hostPort) this.watchUp(info, d);
      } else {
        this.say(d, EVENTS.changed('starting', 'up'));
      }
    } catch (err) {
      log.error({ err, process: d.name, app: d.app }, 'could not start process');
      this.say(d, EVENTS.failedToStart((err as Error).message ?? String(err)));
      const now = Date.now();
      this.history.set(
        d.key,
        recordCrash(this.history.get(d.key), { exitCode: null, at: new Date(now).toISOString(), ranForMs: 0 }, now),
      );
    }
  }

  /**
   * Probes a new web process until it answers HTTP (or, with a health-check path, until that
   * path answers 2xx/3xx), then reconciles at once: it is up, and joins the router. Stops when
   * the container is being stopped or is gone (its boot timeout is the plan's to enforce).
   */
  private watchUp(c: ContainerInfo, d: DesiredProcess): void {
    const port = c.hostPort;
    if (!port || this.probing.has(c.id) || this.upSince.has(c.id)) return;
    this.probing.add(c.id);
    const keepGoing = () => !this.stopping.has(c.id) && this.isDesiredContainer(c);
    void probeUntilUp(port, this.deps.probeEveryMs ?? 100, d.healthCheckPath ?? undefined, keepGoing).then((up) => {
      this.probing.delete(c.id);
      if (!up || this.stopping.has(c.id)) return;
      this.upSince.set(c.id, new Date().toISOString());
      if (this.startedHere.delete(c.id)) this.say(d, EVENTS.changed('starting', 'up'));
      void this.trigger();
    });
  }

  private isDesiredContainer(c: ContainerInfo): boolean {
    const d = this.desired.get(c.labels[LABELS.key] ?? '');
    return d !== undefined && d.release.id === c.labels[LABELS.releaseId];
  }

  private async start(d: DesiredProcess): Promise<ContainerInfo> {
    return this.deps.runtime.run(containerSpec(d, this.platformId ?? '', this.deps.agentId));
  }

  /**
   * Stops a container: out of routing and in-flight requests done (`beforeStop`), SIGTERM,
   * SIGKILL after its stop timeout, removed. A web process past its boot timeout gets SIGKILL
   * at once, as on Heroku. The exit is ours, not a crash.
   */
  private stopInBackground(c: ContainerInfo, reason: StopReason): void {
    if (this.stopping.has(c.id)) return;
    this.stopping.add(c.id);
    this.stoppedByUs.add(c.id);
    this.upSince.delete(c.id);
    void (async () => {
      let gone = false;
      try {
        const exitCode = await stopContainer(this.deps, c, reason);
        if (c.labels[LABELS.oneOff] !== undefined) this.oneOffs.stopped(c.labels[LABELS.key] ?? '', exitCode);
        gone = true;
      } catch (err) {
        this.deps.log.error({ err, container: c.id }, 'stop failed; the next pass tries again');
      } finally {
        this.stopping.delete(c.id);
        // Until it is gone, its exit stays ours: the next pass removes it, not as a crash.
        if (gone) this.stoppedByUs.delete(c.id);
        this.startedHere.delete(c.id);
        this.deps.afterStop?.(c);
        void this.trigger();
      }
    })();
  }
}
