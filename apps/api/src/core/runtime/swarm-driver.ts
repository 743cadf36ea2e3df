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
import { type DesiredProcess, LABELS, Passes, type SwarmGate } from '@paas/shared';
import type { ImageFactsEngine } from '../../docker-image-facts.js';
import type { OverlayEngine } from '../../docker-overlays.js';
import type { RegistryAuth, SwarmEngine, SwarmService, SwarmTask } from '../../docker-swarm.js';
import type { Logger } from '../../logger.js';
import type { AgentsDriver } from './agents-driver.js';
import type { PlacedService, RuntimeDriver } from './driver.js';
import type { Dyno } from './dyno-view.js';
import { SwarmImages } from './swarm-images.js';
import { AppOverlays, forAgents, overlayApps } from './swarm-overlays.js';
import { UpdateRetries } from './swarm-retry.js';
import { rolledBack, SWARM_LABELS, serviceActions, wantedServices } from './swarm-spec.js';
import { type TaskAgents, TaskStopper, tasksToRestart, typeGeneration } from './swarm-stops.js';
import { swarmDynos, withGates } from './swarm-tasks.js';

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
  /** The agents that watch the task containers on their nodes: they stop one task (`ps:stop web.2`). */
  tasks: TaskAgents;
  /** An app's stored restart requests (scope '' | type | process name → when). */
  restarts: (appId: string) => Map<string, string>;
  /** The task containers the agents hold at a closed start gate (a crash back-off). */
  gates?: () => SwarmGate[];
}

export class SwarmDriver implements RuntimeDriver {
  private wanted: DesiredProcess[] | undefined;
  /** The whole last desired set (one-offs too) and add-ons, as given to apply. */
  private given: { wanted: DesiredProcess[]; services: PlacedService[] } | undefined;
  private readonly overlays: AppOverlays;
  private dynos: Dyno[] = [];
  private services: SwarmService[] = [];
  private tasks: SwarmTask[] = [];
  private readonly stopper: TaskStopper;
  /** The per-process restarts that could not be done last pass (logged once per change). */
  private lastUnreachable = '';
  /** The spec hash last written to each service (key app id:type). */
  private readonly written = new Map<string, string>();
  /** Updates Swarm rolled back: written again with back-off (swarm-retry.ts). */
  private readonly retries = new UpdateRetries();
  private readonly images: SwarmImages;
  /** This engine's node (tasks are pinned to it without a registry). */
  private selfNode: string | undefined;
  private readonly passes: Passes;
  private lastDynos = '';
  /** The tasks were listed once since the api started (`dynos` is what runs). */
  private listed = false;
  private readonly timer: NodeJS.Timeout;
  /** Told when the tasks changed (the orchestrator re-sends routes and `ps` reads them). */
  onChange: () => void = () => {};

  constructor(private readonly deps: SwarmDriverDeps) {
    this.stopper = new TaskStopper({ agents: deps.tasks, log: deps.log });
    this.images = new SwarmImages({
      swarm: deps.swarm,
      facts: deps.images,
      log: deps.log,
      platformId: deps.platformId,
      ...(deps.registry ? { registry: deps.registry } : {}),
    });
    this.overlays = new AppOverlays({ engine: deps.overlays, platformId: deps.platformId, log: deps.log });
    this.passes = new Passes(
      () => this.pass(),
      (err) => deps.log.error({ err }, 'swarm pass failed; retrying on the next one'),
    );
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

  knows(): boolean {
    return this.listed;
  }

  /** Runs a pass; calls while one runs coalesce into one more after it. */
  kick(): Promise<void> {
    return this.passes.trigger();
  }

  private async pass(): Promise<void> {
    const { swarm, log, platformId } = this.deps;
    // Each app's restart requests, read once per pass.
    const read = new Map<string, Map<string, string>>();
    const restarts = (appId: string) =>
      read.get(appId) ?? read.set(appId, this.deps.restarts(appId)).get(appId) ?? new Map();
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
      // A service carries its type's restarts; one process's restart replaces that task alone (below).
      const typeLevel = this.wanted.map((p) => ({
        ...p,
        generation: typeGeneration(restarts(p.appId), p.type),
      }));
      const facts = await this.images.facts(this.wanted);
      // A type whose image could not be read, or whose app's overlay is not made yet, stays as it runs.
      const runnable = (p: DesiredProcess) => facts.has(`${p.appId}:${p.type}`) && this.overlays.ready.has(p.appId);
      const { processes, keep } = await this.images.pin(typeLevel.filter(runnable));
      for (const p of this.wanted) if (!runnable(p)) keep.add(`${p.appId}:${p.type}`);
      if (!this.deps.registry) this.selfNode ??= await swarm.nodeId();
      const wanted = wantedServices(processes, {
        platformId,
        maxNanoCpus,
        ...(this.selfNode ? { pinToNode: this.selfNode } : {}),
        facts,
      });
      const now = Date.now();
      for (const { key, waitMs } of this.retries.failed(rolledBack(existing, this.written), now)) {
        log.warn(
          { service: key, retryInMs: waitMs },
          'swarm rolled a failed update back; writing it again after a back-off',
        );
      }
      const actions = serviceActions(wanted, existing, this.retries.held(wanted, existing, now), keep);
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
            this.retries.written(key);
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
    }
    if (this.given) await this.overlays.sweep(needed);
    const tasks = await swarm.listTasks(existing.map((s) => s.id));
    this.services = existing;
    this.tasks = tasks;
    this.dynos = swarmDynos(existing, tasks, nodes, this.stopper.stopped);
    this.listed = true;
    this.stopper.forget(
      new Set(this.dynos.flatMap((d) => (d.containerId ? [d.containerId] : []))),
      new Set(tasks.flatMap((t) => (t.containerId ? [t.containerId] : []))),
    );
    this.restartProcesses(restarts);
    this.changed();
  }

  /** Tells the orchestrator when what `ps` and the routers see changed. */
  private changed(): void {
    const dynos = this.stopper.mark(this.dynos);
    const summary = JSON.stringify(dynos.map((d) => [d.key, d.state, d.release.id, d.endpoint, d.containerId]));
    if (summary !== this.lastDynos) {
      this.lastDynos = summary;
      this.onChange();
    }
  }

  /** Stored restarts of one process (`ps:restart web.2`): its task, if older, is stopped and replaced. */
  private restartProcesses(restarts: (appId: string) => Map<string, string>): void {
    const due = tasksToRestart(this.services, this.tasks, restarts).filter(
      (t) => !this.stopper.isStopping(t.containerId),
    );
    const ids = new Set(due.map((t) => t.containerId));
    const dynos = this.dynos.filter((d) => d.containerId && ids.has(d.containerId));
    try {
      this.stopper.stop(dynos, (id) => this.stopTimeoutOf(id));
      this.lastUnreachable = '';
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.lastUnreachable) this.deps.log.warn({ err }, 'a process restart waits for its agent');
      this.lastUnreachable = message;
    }
  }

  private stopTimeoutOf(containerId: string): number {
    const task = this.tasks.find((t) => t.containerId === containerId);
    return Number(task?.labels[LABELS.stopTimeout] ?? 30) || 30;
  }

  /** The registry's copy of an image is being deleted (core/registry-images.ts): push it again if wanted. */
  forgetPushed(tag: string): void {
    this.images.forgetPushed(tag);
  }

  reported(): Dyno[] {
    const gates = this.deps.gates?.() ?? [];
    return [...this.deps.agents.reported(), ...withGates(this.stopper.mark(this.dynos), gates, Date.now())];
  }

  placements(): Map<string, string> {
    return this.deps.agents.placements();
  }

  /**
   * Stops processes now (a type's, or one); being wanted, they come back. Swarm replaces no
   * single task, but starts a slot again once its container ends: each task's container is
   * stopped by the agent on its node (swarm-stops.ts), so `ps:stop web.2` touches `web.2`
   * alone and `ps:stop web` stops every `web` process, as on agents (a type's rolling restart
   * is `ps:restart web`). Throws, stopping nothing, if a process's node has no agent connected.
   * One-offs stop on their agents.
   */
  stop(appId: string, scope: string): number {
    const dynos = this.dynos.filter(
      (d) =>
        d.appId === appId &&
        (d.type === scope || d.name === scope) &&
        !(d.containerId && this.stopper.isStopping(d.containerId)),
    );
    const count = this.stopper.stop(dynos, (id) => this.stopTimeoutOf(id));
    if (count) this.changed(); // out of the routes now
    return this.deps.agents.stop(appId, scope) + count;
  }

  /** A process's restart (`web.2`) needs the agent of its node: refused now if it has none. */
  checkRestart(appId: string, scope: string): void {
    if (!scope.includes('.')) return; // a type's or the app's: a rolling update of its services
    this.stopper.check(this.dynos.filter((d) => d.appId === appId && d.name === scope));
  }
}
