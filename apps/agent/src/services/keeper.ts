/**
 * Keeps this host's add-on service containers running: converges on the services the api
 * sent (services/plan.ts decides, pure), probes a new or restarted one until it accepts
 * connections, and reports each one's state. Independent of the process reconciler: nothing
 * an app's deploy, config change or restart does reaches here. No failure is fatal; the next
 * pass tries again.
 */
import { type DesiredService, Passes, type ServiceStatus } from '@paas/shared';
import type { Logger } from '../logger.js';
import type { Runtime, ServiceRuntime } from '../runtime/runtime.js';
import { planServices, readinessProbe, type ServiceHistory, serviceSpec, staleNetworks } from './plan.js';

/** How often unused app networks are looked for (each costs one of Docker's address pools). */
const NETWORK_SWEEP_MS = 60_000;
/** How soon a sweep is tried again when an unwanted network still has containers (being removed). */
const NETWORK_RESWEEP_MS = 2_000;

export interface ServiceKeeperDeps {
  runtime: Runtime;
  services: ServiceRuntime;
  log: Logger;
  /** The networks this agent's desired processes join. */
  wantedNetworks: () => Set<string>;
  /** Labels of everything this agent owns (platform, agent); undefined until welcomed. */
  labels: () => Record<string, string> | undefined;
  onStatus: (services: ServiceStatus[]) => void;
  /** A line for the owning app's log. */
  onEvent?: (app: string, line: string) => void;
  probeEveryMs?: number;
}

export class ServiceKeeper {
  private desired: DesiredService[] | undefined;
  private history = new Map<string, ServiceHistory>();
  private readonly ready = new Set<string>();
  private readonly probing = new Set<string>();
  private readonly passes = new Passes(
    () => this.pass(),
    (err) => this.deps.log.error({ err }, 'service pass failed; retrying on the next pass'),
  );
  private wake: NodeJS.Timeout | undefined;
  private statuses: ServiceStatus[] = [];
  private lastStatus = '';
  private lastSweep = 0;
  private resweep: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ServiceKeeperDeps) {}

  /** undefined: the api said nothing about services (keep them as they are). */
  setDesired(services: DesiredService[] | undefined): void {
    if (services === undefined && this.desired !== undefined) return;
    this.desired = services;
    void this.trigger();
  }

  desiredList(): DesiredService[] | undefined {
    return this.desired;
  }

  currentStatus(): ServiceStatus[] {
    return this.statuses;
  }

  trigger(): Promise<void> {
    return this.passes.trigger();
  }

  close(): void {
    clearTimeout(this.wake);
    clearTimeout(this.resweep);
  }

  private async pass(): Promise<void> {
    const labels = this.deps.labels();
    if (!labels) return;
    const { runtime, services, log } = this.deps;
    const observed = await runtime.list(labels);
    const now = Date.now();
    const next = planServices(this.desired, observed, { history: this.history, ready: this.ready }, now);
    this.history = next.history;
    for (const c of next.remove) {
      log.info({ service: c.labels['paas.service'], container: c.id.slice(0, 12) }, 'removing add-on container');
      await runtime.remove(c.id);
      this.ready.delete(c.id);
    }
    for (const v of next.removeVolumes) await services.removeVolume(v);
    for (const { container, network, alias } of next.connect) await services.connect(container.id, network, alias);
    for (const { container, network } of next.disconnect) await services.disconnect(container.id, network);
    for (const { container, service } of next.restart) {
      log.warn({ service: service.name, app: service.app }, 'add-on container exited; starting it again');
      this.deps.onEvent?.(service.app, `Add-on ${service.name} exited; restarting it (same volume)`);
      this.ready.delete(container.id);
      await runtime.start(container.id);
      this.passes.again();
    }
    for (const s of next.create) {
      log.info({ service: s.name, app: s.app, kind: s.kind }, 'provisioning add-on container');
      await services.runService(serviceSpec(s, labels));
      this.passes.again();
    }
    for (const { container, service } of next.probe) this.probe(container.id, service);
    clearTimeout(this.wake);
    if (next.wakeAt !== null) this.wake = setTimeout(() => void this.trigger(), next.wakeAt - now + 10);
    if (this.desired !== undefined && now - this.lastSweep > NETWORK_SWEEP_MS) {
      this.lastSweep = now;
      await this.sweepNetworks(labels);
    }
    this.statuses = next.statuses;
    const serialized = JSON.stringify(next.statuses);
    if (serialized !== this.lastStatus) {
      this.lastStatus = serialized;
      this.deps.onStatus(next.statuses);
    }
  }

  /** Removes app networks no longer needed here (an app that lost its add-ons, or is gone). */
  private async sweepNetworks(labels: Record<string, string>): Promise<void> {
    const { services, log } = this.deps;
    const platform = { 'paas.platform': labels['paas.platform'] ?? '' };
    try {
      const networks = await services.listNetworks(platform);
      const stale = staleNetworks(networks, this.deps.wantedNetworks(), this.desired ?? []);
      for (const name of stale) {
        await services.removeNetwork(name);
        log.info({ network: name }, 'removed an unused app network');
      }
      // An unwanted network whose last containers are still being removed (an app just destroyed,
      // its processes stopping): look again soon rather than in a minute.
      const emptying = staleNetworks(
        networks.map((n) => ({ ...n, containers: 0 })),
        this.deps.wantedNetworks(),
        this.desired ?? [],
      );
      if (emptying.length > stale.length) {
        clearTimeout(this.resweep);
        this.resweep = setTimeout(() => {
          this.lastSweep = 0;
          void this.trigger();
        }, NETWORK_RESWEEP_MS);
      }
    } catch (err) {
      log.warn({ err }, 'could not sweep app networks; the next sweep tries again');
    }
  }

  /** Runs the readiness probe until it passes (or the container is gone), then a pass. */
  private probe(containerId: string, service: DesiredService): void {
    if (this.probing.has(containerId) || this.ready.has(containerId)) return;
    this.probing.add(containerId);
    const every = this.deps.probeEveryMs ?? 100;
    void (async () => {
      const argv = readinessProbe(service);
      for (;;) {
        let code: number;
        try {
          code = await this.deps.services.exec(containerId, argv);
        } catch {
          break; // gone or stopped: the next pass sees it
        }
        if (code === 0) {
          this.ready.add(containerId);
          this.deps.log.info({ service: service.name, app: service.app }, 'add-on accepts connections');
          break;
        }
        await new Promise((r) => setTimeout(r, every));
      }
      this.probing.delete(containerId);
      void this.trigger();
    })();
  }
}
