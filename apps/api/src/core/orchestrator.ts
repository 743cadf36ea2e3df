/**
 * The control loop on the api's side: formation × current release → the processes each app
 * should run → placed on agents (core/scheduler.ts) → each connected agent is sent its whole
 * desired set. It also keeps what agents report, for `ps`. Transport-free: agents are
 * reached through the `send` function their connection registered.
 */
import {
  type ApiMessage,
  type AppRoutesMessage,
  type DesiredProcess,
  type ProcessStatus,
  WEB_PORT,
} from '@paas/shared';
import type { Logger } from '../logger.js';
import { listApps } from '../store/apps.js';
import type { Db } from '../store/db.js';
import { listDomains } from '../store/domains.js';
import { listFormation } from '../store/formation.js';
import {
  listAgents,
  loadPlacements,
  requestRestart,
  restartsOf,
  saveAgent,
  savePlacements,
  touchAgent,
} from '../store/processes.js';
import { currentRelease } from '../store/releases.js';
import type { AppRow } from '../store/rows.js';
import { place } from './scheduler.js';

export interface AgentEntry {
  id: string;
  hostname: string;
  capacity: number;
  connected: boolean;
  lastSeen: number;
  statuses: ProcessStatus[];
  send?: (message: ApiMessage) => void;
  lastSent?: string;
  lastRoutes?: string;
}

export interface OrchestratorDeps {
  db: Db;
  log: Logger;
  platformId: string;
  agentTimeoutMs: number;
  defaultStopTimeout: number;
  /** Seconds a new web process has to answer on $PORT (an app's PAAS_BOOT_TIMEOUT overrides). */
  defaultBootTimeout: number;
  /** Apps answer at <app>.<domain>. */
  domain: string;
}

export interface Dyno extends ProcessStatus {
  agent: string;
}

export class Orchestrator {
  readonly agents = new Map<string, AgentEntry>();
  private pending: NodeJS.Timeout | undefined;
  private readonly tick: NodeJS.Timeout;

  constructor(private readonly deps: OrchestratorDeps) {
    for (const row of listAgents(deps.db)) {
      this.agents.set(row.id, {
        id: row.id,
        hostname: row.hostname,
        capacity: row.capacity,
        connected: false,
        lastSeen: Date.parse(row.last_seen),
        statuses: [],
      });
    }
    // Level-triggered: converge now and then anyway (this is also how agent timeouts act).
    this.tick = setInterval(() => this.converge(), 2000);
    this.tick.unref();
  }

  close(): void {
    clearInterval(this.tick);
    clearTimeout(this.pending);
  }

  /** Something changed (release, formation, restart, app): converge soon. */
  poke(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.converge(), 10);
  }

  connect(hello: { agentId: string; hostname: string; capacity: number }, send: (m: ApiMessage) => void): void {
    const entry: AgentEntry = {
      ...(this.agents.get(hello.agentId) ?? { statuses: [] }),
      id: hello.agentId,
      hostname: hello.hostname,
      capacity: hello.capacity,
      connected: true,
      lastSeen: Date.now(),
      send,
      lastSent: undefined,
      lastRoutes: undefined,
    } as AgentEntry;
    this.agents.set(entry.id, entry);
    saveAgent(this.deps.db, { id: entry.id, hostname: entry.hostname, capacity: entry.capacity });
    send({ type: 'welcome', platformId: this.deps.platformId });
    this.deps.log.info({ agent: entry.id, hostname: entry.hostname }, 'agent connected');
    this.converge();
  }

  disconnect(agentId: string, send: (m: ApiMessage) => void): void {
    const entry = this.agents.get(agentId);
    if (!entry || entry.send !== send) return; // a newer connection replaced this one
    entry.connected = false;
    entry.send = undefined;
    entry.lastSeen = Date.now();
    touchAgent(this.deps.db, agentId);
    this.deps.log.warn({ agent: agentId }, 'agent disconnected');
  }

  report(agentId: string, statuses: ProcessStatus[]): void {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    const changed = JSON.stringify(entry.statuses) !== JSON.stringify(statuses);
    entry.statuses = statuses;
    if (changed) this.poke(); // routes follow the processes that are up
    const now = Date.now();
    if (now - entry.lastSeen > 5000) touchAgent(this.deps.db, agentId);
    entry.lastSeen = now;
  }

  /** Every process each app should run now, from its current release and formation. */
  wanted(): DesiredProcess[] {
    const { db, defaultStopTimeout, defaultBootTimeout } = this.deps;
    const processes: DesiredProcess[] = [];
    for (const app of listApps(db)) {
      const release = currentRelease(db, app.id);
      if (!release?.image_id) continue;
      const restarts = restartsOf(db, app.id);
      const seconds = (value: string | undefined, fallback: number) => {
        const n = Number(value);
        return Number.isFinite(n) && n > 0 ? n : fallback;
      };
      const stopTimeout = seconds(release.config.PAAS_STOP_TIMEOUT, defaultStopTimeout);
      const bootTimeout = seconds(release.config.PAAS_BOOT_TIMEOUT, defaultBootTimeout);
      for (const row of listFormation(db, app.id)) {
        if (!Object.hasOwn(release.process_types, row.type)) continue;
        for (let index = 1; index <= row.quantity; index++) {
          const name = `${row.type}.${index}`;
          const generation = [restarts.get(''), restarts.get(row.type), restarts.get(name)]
            .filter((at): at is string => at !== undefined)
            .sort()
            .at(-1);
          processes.push({
            key: `${app.id}:${name}`,
            app: app.name,
            appId: app.id,
            type: row.type,
            index,
            name,
            release: { id: release.id, version: release.version },
            image: release.image_id,
            command: release.process_types[row.type] ?? null,
            env: { ...release.config, PORT: String(WEB_PORT), DYNO: name, PAAS_RELEASE: `v${release.version}` },
            stopTimeout,
            generation: generation ?? '',
            healthCheckPath: row.type === 'web' ? (release.config.PAAS_HEALTHCHECK_PATH ?? null) : null,
            ...(row.type === 'web' ? { bootTimeout } : {}),
          });
        }
      }
    }
    return processes;
  }

  converge(): void {
    try {
      this.convergeOnce();
    } catch (err) {
      this.deps.log.error({ err }, 'converge failed');
    }
  }

  private convergeOnce(): void {
    const { db, agentTimeoutMs, log } = this.deps;
    const now = Date.now();
    const alive = [...this.agents.values()].filter((a) => a.connected || now - a.lastSeen < agentTimeoutMs);
    // What an agent gone past the timeout last reported is no longer true of anything we run.
    for (const agent of this.agents.values()) if (!alive.includes(agent)) agent.statuses = [];
    const wanted = this.wanted();
    const previous = loadPlacements(db);
    const placed = place(wanted, alive, previous);
    const moved = [...placed].filter(([key, agent]) => previous.has(key) && previous.get(key) !== agent);
    if (moved.length) log.warn({ moved: moved.length }, 'placed processes of an unreachable agent elsewhere');
    savePlacements(
      db,
      new Map(
        wanted
          .filter((w) => placed.has(w.key))
          .map((w) => [w.key, { agentId: placed.get(w.key) ?? '', appId: w.appId }]),
      ),
    );
    for (const agent of this.agents.values()) {
      if (!agent.connected || !agent.send) continue;
      const processes = wanted.filter((w) => placed.get(w.key) === agent.id);
      const serialized = JSON.stringify(processes);
      if (serialized === agent.lastSent) continue;
      agent.lastSent = serialized;
      agent.send({ type: 'desired', processes });
    }
    const routes = JSON.stringify(this.routes());
    for (const agent of this.agents.values()) {
      if (!agent.connected || !agent.send || agent.lastRoutes === routes) continue;
      agent.lastRoutes = routes;
      agent.send({ type: 'routes', routes: JSON.parse(routes) });
    }
  }

  /** Each app's Host names and the endpoints of its web processes that are up. */
  routes(): AppRoutesMessage[] {
    const apps = listApps(this.deps.db);
    const domains = listDomains(this.deps.db);
    return apps.map((app) => ({
      app: app.name,
      hosts: [`${app.name}.${this.deps.domain}`, ...domains.filter((d) => d.app_id === app.id).map((d) => d.hostname)],
      endpoints: [...this.agents.values()]
        .flatMap((a) => a.statuses)
        .filter((s) => s.appId === app.id && s.type === 'web' && s.state === 'up' && s.endpoint)
        .map((s) => ({ host: s.endpoint?.host ?? '', port: s.endpoint?.port ?? 0, name: s.name }))
        .sort((a, b) => a.port - b.port),
    }));
  }

  /** The app's processes as agents report them, plus placed ones not yet reported. */
  dynos(app: AppRow): Dyno[] {
    const dynos: Dyno[] = [];
    const reported = new Set<string>();
    for (const agent of this.agents.values()) {
      for (const status of agent.statuses) {
        if (status.appId !== app.id) continue;
        dynos.push({ ...status, agent: agent.id });
        reported.add(status.key);
      }
    }
    const placements = loadPlacements(this.deps.db);
    for (const w of this.wanted()) {
      if (w.appId !== app.id || reported.has(w.key)) continue;
      dynos.push({
        key: w.key,
        app: w.app,
        appId: w.appId,
        type: w.type,
        index: w.index,
        name: w.name,
        release: w.release,
        generation: w.generation,
        command: w.command,
        state: 'starting',
        since: new Date().toISOString(),
        exitCode: null,
        restarts: 0,
        containerId: null,
        endpoint: null,
        agent: placements.get(w.key) ?? '',
      });
    }
    return dynos.sort(
      (a, b) => a.type.localeCompare(b.type) || a.index - b.index || a.release.version - b.release.version,
    );
  }

  /** Restart the app (scope ''), a type ('web') or one process ('web.2'). */
  restart(app: AppRow, scope: string): void {
    requestRestart(this.deps.db, app.id, scope);
    this.poke();
  }

  /** Stop processes now (they come back, being still wanted): a type or one process. */
  stop(app: AppRow, scope: string): number {
    const matches = (s: ProcessStatus) => s.appId === app.id && (scope === s.type || scope === s.name);
    let count = 0;
    for (const agent of this.agents.values()) {
      const keys = agent.statuses.filter(matches).map((s) => s.key);
      if (keys.length && agent.send) {
        agent.send({ type: 'stop', keys });
        count += keys.length;
      }
    }
    return count;
  }

  /** Processes of this app known anywhere (types and names), for validating requests. */
  processTypes(app: AppRow): Set<string> {
    const release = currentRelease(this.deps.db, app.id);
    return new Set(Object.keys(release?.process_types ?? {}));
  }
}
