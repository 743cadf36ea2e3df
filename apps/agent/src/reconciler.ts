/**
 * Level-triggered reconciliation: converges this host's containers on the desired set, as
 * often as anything changes (a new desired set, a container event, a timer). Starts what is
 * missing, stops what is extra, restarts what crashed (with back-off), replaces processes of
 * an older release or restart generation — web start-first, other types stop-first — and
 * adopts the containers it finds running that match. It never touches a container without
 * this platform's and this agent's labels.
 */
import { randomBytes } from 'node:crypto';
import { type DesiredProcess, LABELS, type ProcessStatus } from '@paas/shared';
import { backoffDelay, nextRestartCount } from './backoff.js';
import { shellArgv } from './command.js';
import type { Logger } from './logger.js';
import { answersHttp } from './probe.js';
import type { ContainerInfo, Runtime } from './runtime/runtime.js';

/** The port web processes listen on inside their container ($PORT); published on 127.0.0.1. */
export const WEB_PORT = 5000;
const STOP_TIMEOUT_LABEL = 'paas.stop-timeout';

interface Track {
  restarts: number;
  backoffUntil: number;
  exitCode: number | null;
  crashedAt: string | null;
  timer?: NodeJS.Timeout;
}

export interface ReconcilerDeps {
  runtime: Runtime;
  agentId: string;
  log: Logger;
  onStatus: (processes: ProcessStatus[]) => void;
  /** Before SIGTERM: take the process out of routing and let its in-flight requests finish. */
  beforeStop?: (container: ContainerInfo) => Promise<void>;
  /** A line for the app's log about one of its processes (stops, signals). */
  onEvent?: (app: string, process: string, line: string) => void;
}

export class Reconciler {
  private desired = new Map<string, DesiredProcess>();
  private platformId: string | undefined;
  private readonly tracks = new Map<string, Track>();
  /** Containers seen answering on their port, and since when. */
  private readonly upSince = new Map<string, string>();
  /** Containers being stopped, and the ones whose exit we caused (not crashes). */
  private readonly stopping = new Set<string>();
  private readonly stoppedByUs = new Set<string>();
  private readonly probing = new Set<string>();
  private running: Promise<void> | undefined;
  private again = false;
  private lastStatus = '';
  private statuses: ProcessStatus[] = [];

  constructor(private readonly deps: ReconcilerDeps) {}

  get labels(): Record<string, string> | undefined {
    return this.platformId ? { [LABELS.platform]: this.platformId, [LABELS.agent]: this.deps.agentId } : undefined;
  }

  setPlatform(platformId: string): void {
    this.platformId = platformId;
  }

  setDesired(processes: DesiredProcess[]): void {
    this.desired = new Map(processes.map((p) => [p.key, p]));
    this.trigger();
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
    const containers = await this.deps.runtime.list(labels);
    for (const c of containers) {
      if (c.running && keys.includes(c.labels[LABELS.key] ?? '')) this.stopInBackground(c);
    }
  }

  /** Runs a reconciliation soon; calls while one runs coalesce into one more. */
  trigger(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.reconcile();
        } catch (err) {
          this.deps.log.error({ err }, 'reconcile failed');
        }
      } while (this.again);
      this.running = undefined;
    })();
    return this.running;
  }

  private track(key: string): Track {
    let t = this.tracks.get(key);
    if (!t) {
      t = { restarts: 0, backoffUntil: 0, exitCode: null, crashedAt: null };
      this.tracks.set(key, t);
    }
    return t;
  }

  private async reconcile(): Promise<void> {
    const labels = this.labels;
    if (!labels) return; // not yet told which platform we serve: touch nothing
    const { runtime } = this.deps;
    const containers = await runtime.list(labels);
    const byKey = new Map<string, ContainerInfo[]>();
    for (const c of containers) {
      const key = c.labels[LABELS.key] ?? '';
      byKey.set(key, [...(byKey.get(key) ?? []), c]);
    }
    const statuses: ProcessStatus[] = [];
    const toStart: DesiredProcess[] = [];

    for (const [key, d] of this.desired) {
      const mine = byKey.get(key) ?? [];
      byKey.delete(key);
      const isCurrent = (c: ContainerInfo) =>
        c.labels[LABELS.releaseId] === d.release.id && c.labels[LABELS.generation] === d.generation;
      const current = mine.filter(isCurrent);
      const old = mine.filter((c) => !isCurrent(c));
      const track = this.track(key);

      let live: ContainerInfo | undefined;
      for (const c of current) {
        if (this.stopping.has(c.id)) continue;
        if (c.running && !live) live = c;
        else if (c.running)
          this.stopInBackground(c); // a duplicate
        else {
          this.onExit(d, c, track);
          await runtime.remove(c.id);
        }
      }

      const oldRunning = old.filter((c) => c.running);
      const mayStart = d.type === 'web' || oldRunning.length === 0; // others: stop-first
      const willStart = !live && mayStart && Date.now() >= track.backoffUntil;
      if (willStart) toStart.push(d); // started together after this pass, then looked at again
      if (live && d.type === 'web' && !this.upSince.has(live.id) && live.hostPort)
        this.watchUp(live.id, live.hostPort, d.healthCheckPath);
      const liveUp = live !== undefined && (d.type !== 'web' || this.upSince.has(live.id));
      if (live && d.type !== 'web' && !this.upSince.has(live.id)) {
        this.upSince.set(live.id, live.startedAt ?? new Date().toISOString());
      }

      for (const c of old) {
        if (this.stopping.has(c.id)) continue;
        if (!c.running) await runtime.remove(c.id);
        else if (d.type !== 'web' || liveUp) this.stopInBackground(c);
      }

      // An old process keeps serving until its replacement is up: it is `up` until stopped.
      statuses.push(
        ...old.filter((c) => c.running).map((c) => this.statusOf(c, this.stopping.has(c.id) ? 'stopping' : 'up', d)),
      );
      if (live) {
        statuses.push(this.statusOf(live, liveUp ? 'up' : 'starting', d, track));
      } else if (willStart) {
        statuses.push({
          ...this.base(d),
          state: 'starting',
          since: new Date().toISOString(),
          exitCode: null,
          restarts: track.restarts,
          containerId: null,
          endpoint: null,
        });
      } else if (track.crashedAt) {
        statuses.push({
          ...this.base(d),
          state: 'crashed',
          since: track.crashedAt,
          exitCode: track.exitCode,
          restarts: track.restarts,
          containerId: null,
          endpoint: null,
        });
      }
    }

    for (const rest of byKey.values()) {
      for (const c of rest) {
        if (c.running) {
          this.stopInBackground(c);
          statuses.push(this.statusOf(c, 'stopping'));
        } else if (!this.stopping.has(c.id)) {
          await runtime.remove(c.id);
        }
      }
    }
    for (const key of this.tracks.keys()) if (!this.desired.has(key)) this.forget(key);

    if (toStart.length) {
      await Promise.all(toStart.map((d) => this.startLogged(d)));
      this.again = true; // look at what was started (and replace what it replaces)
    }

    this.statuses = statuses;
    const serialized = JSON.stringify(statuses);
    if (serialized !== this.lastStatus) {
      this.lastStatus = serialized;
      this.deps.onStatus(statuses);
    }
  }

  private onExit(d: DesiredProcess, c: ContainerInfo, track: Track): void {
    this.upSince.delete(c.id);
    if (this.stoppedByUs.delete(c.id)) return; // we stopped it (ps:stop): it just comes back
    const ranFor = c.startedAt && c.finishedAt ? Date.parse(c.finishedAt) - Date.parse(c.startedAt) : 0;
    track.restarts = nextRestartCount(track.restarts, ranFor);
    track.exitCode = c.exitCode;
    track.crashedAt = c.finishedAt ?? new Date().toISOString();
    const delay = backoffDelay(track.restarts);
    track.backoffUntil = Date.now() + delay;
    clearTimeout(track.timer);
    if (delay > 0) track.timer = setTimeout(() => void this.trigger(), delay + 10);
    this.deps.log.warn(
      { process: d.name, app: d.app, exitCode: c.exitCode, restarts: track.restarts, restartInMs: delay },
      'process crashed',
    );
  }

  private async startLogged(d: DesiredProcess): Promise<void> {
    const { log } = this.deps;
    try {
      const info = await this.start(d);
      log.info({ process: d.name, app: d.app, release: d.release.version, container: info.id.slice(0, 12) }, 'started');
      if (info.hostPort && d.type === 'web') this.watchUp(info.id, info.hostPort, d.healthCheckPath);
    } catch (err) {
      log.error({ err, process: d.name, app: d.app }, 'could not start process');
      const failed: ContainerInfo = {
        id: `failed-${Date.now()}`,
        labels: {},
        running: false,
        exitCode: null,
        startedAt: null,
        finishedAt: null,
        hostPort: null,
      };
      this.onExit(d, failed, this.track(d.key));
    }
  }

  /**
   * Probes a new web process every 100 ms until it answers HTTP (or, with a health-check path,
   * until that path answers 2xx/3xx), then reconciles at once: it is up, and joins the router.
   */
  private watchUp(id: string, port: number, healthCheckPath: string | null | undefined): void {
    if (this.probing.has(id) || this.upSince.has(id)) return;
    this.probing.add(id);
    const deadline = Date.now() + 120_000;
    const loop = async () => {
      while (Date.now() < deadline && !this.stopping.has(id)) {
        if (await answersHttp(port, 500, healthCheckPath ?? undefined)) {
          this.upSince.set(id, new Date().toISOString());
          void this.trigger();
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      this.probing.delete(id);
    };
    void loop();
  }

  private forget(key: string): void {
    clearTimeout(this.tracks.get(key)?.timer);
    this.tracks.delete(key);
  }

  private async start(d: DesiredProcess): Promise<ContainerInfo> {
    const platformId = this.platformId ?? '';
    const web = d.type === 'web';
    return this.deps.runtime.run({
      name: `paas-${d.app}-${d.name}-v${d.release.version}-${randomBytes(3).toString('hex')}`,
      image: d.image,
      cmd: d.command === null ? null : shellArgv(d.command),
      env: { ...d.env, TINI_KILL_PROCESS_GROUP: '1' },
      labels: {
        [LABELS.platform]: platformId,
        [LABELS.agent]: this.deps.agentId,
        [LABELS.key]: d.key,
        [LABELS.app]: d.app,
        [LABELS.appId]: d.appId,
        [LABELS.type]: d.type,
        [LABELS.index]: String(d.index),
        [LABELS.name]: d.name,
        [LABELS.releaseId]: d.release.id,
        [LABELS.releaseVersion]: String(d.release.version),
        [LABELS.generation]: d.generation,
        [STOP_TIMEOUT_LABEL]: String(d.stopTimeout),
        'paas.command': d.command ?? '',
      },
      ...(web ? { publish: WEB_PORT } : {}),
      stopTimeout: d.stopTimeout,
    });
  }

  private stopInBackground(c: ContainerInfo): void {
    if (this.stopping.has(c.id)) return;
    this.stopping.add(c.id);
    this.stoppedByUs.add(c.id);
    this.upSince.delete(c.id);
    const timeout = Number(c.labels[STOP_TIMEOUT_LABEL] ?? 30) || 30;
    const { runtime, log } = this.deps;
    log.info(
      { process: c.labels[LABELS.name], app: c.labels[LABELS.app], container: c.id.slice(0, 12), timeout },
      'stopping (SIGTERM)',
    );
    const started = Date.now();
    const app = c.labels[LABELS.app] ?? '';
    const name = c.labels[LABELS.name] ?? '';
    const say = (line: string) => this.deps.onEvent?.(app, name, line);
    void (this.deps.beforeStop?.(c) ?? Promise.resolve())
      .then(() => {
        say('Stopping process with SIGTERM');
        return runtime.stop(c.id, timeout);
      })
      .then(async () => {
        const after = await runtime.inspect(c.id);
        if (after?.exitCode === 137 && Date.now() - started >= timeout * 1000) {
          say(`Error R12 (Exit timeout) -> Process failed to exit within ${timeout} seconds of SIGTERM`);
          say('Stopping process with SIGKILL');
        }
        say(`Process exited with status ${after?.exitCode ?? 'unknown'}`);
        log.info(
          {
            process: c.labels[LABELS.name],
            app: c.labels[LABELS.app],
            exitCode: after?.exitCode,
            ms: Date.now() - started,
          },
          'stopped',
        );
        await runtime.remove(c.id);
      })
      .catch((err) => log.error({ err, container: c.id }, 'stop failed'))
      .finally(() => {
        this.stopping.delete(c.id);
        this.stoppedByUs.delete(c.id);
        void this.trigger();
      });
  }

  private base(d: DesiredProcess) {
    return {
      key: d.key,
      app: d.app,
      appId: d.appId,
      type: d.type,
      index: d.index,
      name: d.name,
      release: d.release,
      generation: d.generation,
      command: d.command,
    };
  }

  private statusOf(c: ContainerInfo, state: ProcessStatus['state'], d?: DesiredProcess, track?: Track): ProcessStatus {
    const l = c.labels;
    return {
      key: l[LABELS.key] ?? '',
      app: l[LABELS.app] ?? '',
      appId: l[LABELS.appId] ?? '',
      type: l[LABELS.type] ?? '',
      index: Number(l[LABELS.index] ?? 0),
      name: l[LABELS.name] ?? '',
      release: { id: l[LABELS.releaseId] ?? '', version: Number(l[LABELS.releaseVersion] ?? 0) },
      generation: l[LABELS.generation] ?? '',
      command: d?.command ?? (l['paas.command'] || null),
      state,
      since: (state === 'up' ? this.upSince.get(c.id) : undefined) ?? c.startedAt ?? new Date().toISOString(),
      exitCode: null,
      restarts: track?.restarts ?? 0,
      containerId: c.id,
      startedAt: c.startedAt,
      endpoint: c.hostPort ? { host: '127.0.0.1', port: c.hostPort } : null,
    };
  }
}
