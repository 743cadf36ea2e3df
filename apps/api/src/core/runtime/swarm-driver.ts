/**
 * The `swarm` runtime: Docker Swarm runs the formation. Each (app, process type) of the
 * current release is a service (runtime/swarm-spec.ts); its tasks are the processes `ps` and
 * the routers see (runtime/swarm-tasks.ts). Level-triggered like the agents runtime: every
 * pass lists this platform's services and converges them on the whole desired set, so an api
 * restarted (or killed mid-update) re-reads what Swarm has and goes on from there.
 *
 * One-offs (`paas run`, the release phase) and add-on containers stay with the agents (an
 * attached one-off is a plain container on an agent's engine: Swarm jobs have no attach),
 * joined to the app's overlay network with its services (runtime/swarm-overlays.ts).
 */
import type { DesiredProcess } from '@paas/shared';
import type { ImageFacts, ImageFactsEngine } from '../../docker-image-facts.js';
import type { OverlayEngine } from '../../docker-overlays.js';
import type { RegistryAuth, SwarmEngine, SwarmService } from '../../docker-swarm.js';
import type { Logger } from '../../logger.js';
import { RUNNER_LABEL } from '../docker-one-off.js';
import type { AgentsDriver } from './agents-driver.js';
import type { PlacedService, RuntimeDriver } from './driver.js';
import type { Dyno } from './dyno-view.js';
import { AppOverlays, forAgents, overlayApps } from './swarm-overlays.js';
import { rolledBack, SWARM_LABELS, serviceActions, serviceKey, wantedServices } from './swarm-spec.js';
import { swarmDynos } from './swarm-tasks.js';

export interface SwarmDriverDeps {
  swarm: SwarmEngine;
  /** The apps' overlay networks. */
  overlays: OverlayEngine;
  /** Release images' USER, command and setpriv (the services' confinement). */
  images: ImageFactsEngine;
  log: Logger;
  platformId: string;
  /** Runs the one-offs and add-on containers on the agents. */
  agents: AgentsDriver;
  /** Milliseconds between looks at the tasks when nothing is asked (routes follow them). */
  refreshMs?: number;
  /**
   * The platform's registry (PAAS_REGISTRY): release images are pushed there and services pull
   * them from it on every node. Without one, services name the image by id, which only this
   * engine has: a single node.
   */
  registry?: RegistryAuth;
}

export class SwarmDriver implements RuntimeDriver {
  private wanted: DesiredProcess[] | undefined;
  /** The whole last desired set (one-offs too) and add-ons, as given to apply. */
  private given: { wanted: DesiredProcess[]; services: PlacedService[] } | undefined;
  private readonly overlays: AppOverlays;
  /** Image id → its facts (read once per api run). */
  private readonly facts = new Map<string, ImageFacts>();
  private dynos: Dyno[] = [];
  private services: SwarmService[] = [];
  /** The spec hash last written to each service (key app id:type). */
  private readonly written = new Map<string, string>();
  /** Updates Swarm rolled back (key → hash): not written again until the wanted spec changes. */
  private readonly failed = new Map<string, string>();
  /** Image id → the registry reference every node pulls (pushed once per api run). */
  private readonly pushed = new Map<string, string>();
  /** This engine's node (tasks are pinned to it without a registry). */
  private selfNode: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastDynos = '';
  private readonly timer: NodeJS.Timeout;
  /** Told when the tasks changed (the orchestrator re-sends routes and `ps` reads them). */
  onChange: () => void = () => {};

  constructor(private readonly deps: SwarmDriverDeps) {
    this.overlays = new AppOverlays({ engine: deps.overlays, platformId: deps.platformId, log: deps.log });
    this.timer = setInterval(() => void this.kick(), deps.refreshMs ?? 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  apply(wanted: DesiredProcess[], services: PlacedService[]): void {
    this.given = { wanted, services };
    this.toAgents();
    this.wanted = wanted.filter((w) => !w.oneOff);
    void this.kick();
  }

  /** The agents' part: one-offs and add-ons on the apps' overlays, the hand-over on bridges. */
  private toAgents(): void {
    if (!this.given || !this.overlays.looked) return;
    const { wanted, services } = this.given;
    const mine = forAgents(wanted, services, this.handover(wanted), this.overlays.ready);
    this.deps.agents.apply(mine.processes, mine.services);
  }

  /**
   * Switching a platform from agents to swarm, start-first: a process placed on an agent
   * stays there until Swarm runs as many of its type, up, as are wanted; then the agents
   * stop theirs (drained first, as always). A platform that started on swarm has none.
   */
  private handover(wanted: DesiredProcess[]): DesiredProcess[] {
    // Placed on an agent (stored, so known before the agents report after an api restart).
    const onAgents = this.deps.agents.placements();
    if (onAgents.size === 0) return [];
    const count = (list: { appId: string; type: string }[], appId: string, type: string) =>
      list.filter((p) => p.appId === appId && p.type === type).length;
    const up = this.dynos.filter((d) => d.state === 'up');
    return wanted.filter(
      (w) => !w.oneOff && onAgents.has(w.key) && count(up, w.appId, w.type) < count(wanted, w.appId, w.type),
    );
  }

  /** Runs a pass; calls while one runs coalesce into one more after it. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (err) {
          this.deps.log.error({ err }, 'swarm pass failed; retrying on the next one');
        }
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    const { swarm, log, platformId } = this.deps;
    const labels = { 'paas.platform': platformId, [SWARM_LABELS.runtime]: 'swarm' };
    const nodes = await swarm.listNodes();
    let existing = await swarm.listServices(labels);
    const needed = () => overlayApps(this.given?.wanted ?? [], this.given?.services ?? []);
    // Each app's overlay before its services and containers: a one-off waiting for it goes now
    // (and, on an api's first pass, everything the agents run).
    if (this.given && (await this.overlays.ensure(needed()))) this.toAgents();
    if (this.wanted) {
      const ready = nodes.filter((n) => n.state === 'ready' && n.nanoCpus > 0);
      const maxNanoCpus = ready.length ? Math.min(...ready.map((n) => n.nanoCpus)) : 0;
      const facts = await this.imageFacts(this.wanted);
      const { processes, keep } = await this.pinImages(
        this.wanted.filter((p) => facts.has(`${p.appId}:${p.type}`) && this.overlays.ready.has(p.appId)),
      );
      // A type whose image could not be read, or whose app's overlay is not made yet, stays as it runs.
      for (const p of this.wanted) {
        if (!facts.has(`${p.appId}:${p.type}`) || !this.overlays.ready.has(p.appId)) keep.add(`${p.appId}:${p.type}`);
      }
      if (!this.deps.registry) this.selfNode ??= await swarm.nodeId();
      const wanted = wantedServices(processes, {
        platformId,
        maxNanoCpus,
        ...(this.selfNode ? { pinToNode: this.selfNode } : {}),
        facts,
      });
      for (const [key, hash] of rolledBack(existing, this.written)) {
        if (this.failed.get(key) !== hash) log.warn({ service: key }, 'swarm rolled a failed update back');
        this.failed.set(key, hash);
      }
      const actions = serviceActions(wanted, existing, this.failed, keep);
      for (const action of actions) {
        try {
          const auth = this.deps.registry;
          if (action.kind === 'create') await swarm.createService(action.spec, auth);
          else if (action.kind === 'update') await swarm.updateService(action.id, action.version, action.spec, auth);
          else if (action.kind === 'scale') await swarm.scaleService(action.id, action.version, action.replicas);
          else await swarm.removeService(action.id);
          if (action.kind === 'create' || action.kind === 'update') {
            const key = `${action.spec.Labels['paas.app-id']}:${action.spec.Labels['paas.type']}`;
            this.written.set(key, action.spec.Labels[SWARM_LABELS.spec] ?? '');
          }
          log.info(
            { action: action.kind, service: 'spec' in action ? action.spec.Name : action.id },
            'swarm service changed',
          );
        } catch (err) {
          log.error({ err, action: action.kind }, 'swarm service change failed; retrying on the next pass');
        }
      }
      if (actions.length) existing = await swarm.listServices(labels);
      const keys = new Set(wanted.map((w) => w.key));
      for (const key of this.failed.keys()) if (!keys.has(key)) this.failed.delete(key);
    }
    if (this.given) await this.overlays.sweep(needed);
    const tasks = await swarm.listTasks(existing.map((s) => s.id));
    this.services = existing;
    this.dynos = swarmDynos(existing, tasks, nodes);
    const summary = JSON.stringify(this.dynos.map((d) => [d.key, d.state, d.release.id, d.endpoint, d.containerId]));
    if (summary !== this.lastDynos) {
      this.lastDynos = summary;
      this.onChange();
    }
  }

  /** Each type's image facts (key app id:type), read once per image; a type whose read failed is left out. */
  private async imageFacts(wanted: DesiredProcess[]): Promise<Map<string, ImageFacts>> {
    const out = new Map<string, ImageFacts>();
    for (const p of wanted) {
      let facts = this.facts.get(p.image);
      if (!facts) {
        try {
          // Labelled as the api's own containers: one left by an api killed meanwhile goes at its start.
          const labels = { 'paas.platform': this.deps.platformId, [RUNNER_LABEL]: 'api' };
          facts = await this.deps.images.imageFacts(p.image, labels);
          this.facts.set(p.image, facts);
        } catch (err) {
          this.deps.log.error({ err, app: p.app, image: p.image }, 'could not read a release image; trying again');
          continue;
        }
      }
      out.set(`${p.appId}:${p.type}`, facts);
    }
    return out;
  }

  /**
   * With a registry, each process's image becomes the registry reference (pushed first, once);
   * a type whose push failed is kept as it runs (`keep`) and tried again on the next pass.
   */
  private async pinImages(wanted: DesiredProcess[]): Promise<{ processes: DesiredProcess[]; keep: Set<string> }> {
    const { registry, swarm, log } = this.deps;
    if (!registry) return { processes: wanted, keep: new Set() };
    const keep = new Set<string>();
    const processes: DesiredProcess[] = [];
    for (const p of wanted) {
      let ref = this.pushed.get(p.image);
      if (ref === undefined && !keep.has(`${p.appId}:${p.type}`)) {
        try {
          const tag = p.image.replace(/^sha256:/, '').slice(0, 32);
          ref = await swarm.pushImage(p.image, `${registry.serveraddress}/paas/${p.appId}`, tag, registry);
          this.pushed.set(p.image, ref);
          log.info({ app: p.app, image: p.image, ref }, 'pushed a release image to the registry');
        } catch (err) {
          log.error({ err, app: p.app, image: p.image }, 'could not push the image to the registry; trying again');
        }
      }
      if (ref === undefined) keep.add(`${p.appId}:${p.type}`);
      else processes.push({ ...p, image: ref });
    }
    return { processes: processes.filter((p) => !keep.has(`${p.appId}:${p.type}`)), keep };
  }

  reported(): Dyno[] {
    return [...this.deps.agents.reported(), ...this.dynos];
  }

  placements(): Map<string, string> {
    return this.deps.agents.placements();
  }

  /**
   * Stops processes now; being wanted, they come back. Swarm cannot replace one task of a
   * service, so a process's stop (or its type's) replaces the whole type's tasks (a forced
   * update, start-first for web). One-offs stop on their agents.
   */
  stop(appId: string, scope: string): number {
    const told = this.deps.agents.stop(appId, scope);
    const dynos = this.dynos.filter((d) => d.appId === appId && (d.type === scope || d.name === scope));
    const types = new Set(dynos.map((d) => d.type));
    for (const s of this.services) {
      const [app, type] = serviceKey(s).split(':');
      if (app !== appId || !type || !types.has(type)) continue;
      this.deps.swarm
        .restartService(s.id)
        .catch((err) => this.deps.log.error({ err, service: s.name }, 'could not restart a swarm service'));
    }
    return told + dynos.length;
  }
}
