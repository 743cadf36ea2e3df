/**
 * The control loop on the api's side. On every change (and every 2 s anyway): load what
 * should run (each app's current release × formation → runtime/desired.ts), hand it to the
 * runtime driver (who runs it: runtime/agents-driver.ts or runtime/swarm-driver.ts), and send the routers the route
 * table built from what the runtime reports (runtime/route-table.ts). It also answers `ps`
 * (runtime/dyno-view.ts) and takes restart and stop requests.
 */
import { appNetwork } from '@paas/shared';
import type { Logger } from '../logger.js';
import { listAttachments, liveAddons, setAddonAgent } from '../store/addons.js';
import { listApps } from '../store/apps.js';
import { routerCerts } from '../store/certs.js';
import type { Db } from '../store/db.js';
import { listDomains } from '../store/domains.js';
import { listFormation } from '../store/formation.js';
import { finishOneOff, oneOffName, runningOneOffs } from '../store/one-offs.js';
import { requestRestart, restartsOf } from '../store/processes.js';
import { currentRelease, findRelease } from '../store/releases.js';
import type { AppRow } from '../store/rows.js';
import { formationTypes } from './procfile.js';
import type { AgentRegistry } from './runtime/agent-registry.js';
import {
  type DesiredDefaults,
  type DesiredInput,
  desiredProcesses,
  type OneOffInput,
  oneOffProcesses,
} from './runtime/desired.js';
import type { PlacedService, RuntimeDriver } from './runtime/driver.js';
import { type Dyno, dynoView } from './runtime/dyno-view.js';
import { routeTable } from './runtime/route-table.js';
import { desiredServices } from './runtime/services.js';

export type { Dyno } from './runtime/dyno-view.js';

export interface OrchestratorDeps {
  db: Db;
  log: Logger;
  defaults: DesiredDefaults;
  /** Apps answer at <app>.<domain>. */
  domain: string;
  /** The routers (and, with the agents runtime, the process runners too). */
  agents: AgentRegistry;
  driver: RuntimeDriver;
}

export class Orchestrator {
  private pending: NodeJS.Timeout | undefined;
  private readonly tick: NodeJS.Timeout;
  /** The routers' default certificate (`*.<domain>`, signed by the platform CA) and its key, PEM. */
  private defaultCert: string | undefined;

  constructor(private readonly deps: OrchestratorDeps) {
    deps.agents.subscribe((urgent) => (urgent ? this.converge() : this.poke()));
    // Level-triggered: converge now and then anyway (this is also how agent timeouts act).
    this.tick = setInterval(() => this.converge(), 2000);
    this.tick.unref();
  }

  close(): void {
    clearInterval(this.tick);
    clearTimeout(this.pending);
    this.deps.driver.close?.();
  }

  /** The routers' default certificate for their TLS port (certificate then key, PEM). */
  setDefaultCert(pem: string): void {
    this.defaultCert = pem;
    this.poke();
  }

  /**
   * Something changed (release, formation, restart, app, a process's state): converge soon,
   * 10 ms after the last of a burst of pokes; `now` for someone waiting on it (a one-off's
   * client: the 10 ms were on `paas run`'s round trip), still coalesced with the pokes of the
   * same tick.
   */
  poke(when: 'soon' | 'now' = 'soon'): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.converge(), when === 'now' ? 0 : 10);
  }

  converge(): void {
    try {
      this.deps.agents.cutOffRevoked(); // a revoked agent hears nothing more, not even this pass
      this.recordEnds();
      this.deps.driver.apply(this.wanted(), this.wantedServices());
      const { db, domain, agents, driver } = this.deps;
      // Until the driver has seen what runs, the routers keep the routes they have (they serve
      // on while the api restarts; an empty table would turn every request away).
      if (driver.knows?.() !== false) {
        agents.sendRoutes(routeTable(listApps(db), listDomains(db), driver.reported(), domain));
      }
      agents.sendCerts(routerCerts(db, this.defaultCert));
    } catch (err) {
      this.deps.log.error({ err }, 'converge failed');
    }
  }

  /** Every process each app should run now, from its current release and formation. */
  wanted() {
    const { db, defaults } = this.deps;
    const inputs: DesiredInput[] = [];
    for (const app of listApps(db)) {
      const release = currentRelease(db, app.id);
      if (!release?.image_id) continue;
      inputs.push({
        app,
        release: {
          id: release.id,
          version: release.version,
          image: release.image_id,
          config: release.config,
          processTypes: release.process_types,
        },
        formation: listFormation(db, app.id),
        restarts: restartsOf(db, app.id),
        // Every app's processes share a network of their own (with its add-ons), no other app's.
        network: appNetwork(app.id),
      });
    }
    return [...desiredProcesses(inputs, defaults), ...oneOffProcesses(this.oneOffInputs(), defaults)];
  }

  /** The one-offs not ended yet, each with the release it was asked of. */
  private oneOffInputs(): OneOffInput[] {
    const { db } = this.deps;
    const apps = new Map(listApps(db).map((a) => [a.id, a]));
    const inputs: OneOffInput[] = [];
    for (const oneOff of runningOneOffs(db)) {
      const app = apps.get(oneOff.app_id);
      const release = findRelease(db, oneOff.app_id, oneOff.release_id);
      if (!app || !release?.image_id) continue;
      inputs.push({
        app,
        network: appNetwork(app.id),
        oneOff,
        release: { id: release.id, version: release.version, image: release.image_id, config: release.config },
      });
    }
    return inputs;
  }

  /** One-offs their agents report ended (`down`) are recorded so: no longer wanted. */
  private recordEnds(): void {
    const { db, agents, driver } = this.deps;
    // A one-off is never run twice: one placed on an agent gone past its timeout has ended.
    const alive = new Set(agents.alive().map((a) => a.id));
    const placed = driver.placements();
    for (const o of runningOneOffs(db)) {
      const agent = placed.get(`${o.app_id}:${oneOffName(o)}`);
      if (agent && !alive.has(agent) && finishOneOff(db, o.id, null)) {
        this.deps.log.warn({ oneOff: o.id, agent }, 'one-off lost with its agent');
      }
    }
    for (const d of driver.reported()) {
      if (!d.oneOff || d.state !== 'down') continue;
      if (finishOneOff(this.deps.db, d.oneOff.id, d.exitCode)) {
        this.deps.log.info({ app: d.app, process: d.name, exitCode: d.exitCode }, 'one-off ended');
      }
    }
  }

  /** Every live add-on's service container and its agent (placing new ones, once). */
  wantedServices(): PlacedService[] {
    const { db, agents } = this.deps;
    const { placed, newlyPlaced } = desiredServices({
      addons: liveAddons(db),
      attachments: listAttachments(db),
      appNames: new Map(listApps(db).map((a) => [a.id, a.name])),
      alive: agents.alive().map((a) => a.id),
    });
    for (const [addonId, agentId] of newlyPlaced) setAddonAgent(db, addonId, agentId);
    return placed;
  }

  /** The app's processes as the runtime reports them, plus wanted ones not yet reported. */
  dynos(app: AppRow): Dyno[] {
    const { driver } = this.deps;
    return dynoView(app.id, driver.reported(), this.wanted(), driver.placements(), new Date());
  }

  /** Restart the app (scope ''), a type ('web') or one process ('web.2'). */
  restart(app: AppRow, scope: string): void {
    this.deps.driver.checkRestart?.(app.id, scope);
    requestRestart(this.deps.db, app.id, scope);
    this.poke();
  }

  /** Stop processes now (they come back, being still wanted): a type or one process. */
  stop(app: AppRow, scope: string): number {
    return this.deps.driver.stop(app.id, scope);
  }

  /** Whether any agent could run a new process now (connected, or gone less than the timeout). */
  canRun(): boolean {
    return this.deps.agents.alive().length > 0;
  }

  /** The current release's process types, for validating requests. */
  processTypes(app: AppRow): Set<string> {
    const release = currentRelease(this.deps.db, app.id);
    return new Set(formationTypes(release?.process_types ?? {}));
  }
}
