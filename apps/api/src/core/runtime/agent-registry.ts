/**
 * The agents the api knows: who is connected, what each last reported, and how to reach it
 * (the `send` its connection registered). Agents are remembered in the store, so after an
 * api restart an agent that has not reconnected yet keeps its processes until the timeout.
 * Transport-free: routes/agents.ts owns the WebSocket.
 */
import type {
  ApiMessage,
  AppRoutesMessage,
  DesiredProcess,
  DesiredService,
  ProcessStatus,
  RouterCert,
  ServiceStatus,
  SwarmGate,
  SwarmTaskContainer,
  TaskStop,
} from '@paas/shared';
import type { Logger } from '../../logger.js';
import { addonIdsOnAgent } from '../../store/addons.js';
import type { Db } from '../../store/db.js';
import { findOneOff, oneOffName } from '../../store/one-offs.js';
import { listAgents, loadPlacements, saveAgent, touchAgent } from '../../store/processes.js';
import { type AgentIdentity, credentialStands } from '../agent-auth.js';
import type { Dyno } from './dyno-view.js';
import { acceptStatuses } from './status-guard.js';

/** An agent's live connection: who it proved to be, from where, and how to cut it off. */
export interface AgentLink {
  identity: AgentIdentity;
  /** The connection's remote address: the only address its endpoints may be on. */
  remote: string;
  /** Closes the connection: `replaced` by a newer one of the same agent, or its credential `revoked`. */
  close: (why: string, reason: 'replaced' | 'revoked') => void;
}

export interface AgentEntry {
  id: string;
  hostname: string;
  capacity: number;
  connected: boolean;
  lastSeen: number;
  statuses: ProcessStatus[];
  /** Its add-on service containers as last reported. */
  services: ServiceStatus[];
  /** The Swarm task containers it watches on its engine, as last reported. */
  tasks: SwarmTaskContainer[];
  /** Swarm task containers on its engine waiting out a crash back-off (the swarm runtime). */
  gates?: SwarmGate[];
  send?: (message: ApiMessage) => void;
  link?: AgentLink;
  /** Process keys sent to it (placed on it) and still reported: statuses it may give. */
  sentKeys: Set<string>;
  /** What was last sent, so an unchanged set is not sent again. */
  lastSent?: string;
  lastRoutes?: string;
  lastCerts?: string;
  lastRefused?: string;
}

export interface AgentRegistryDeps {
  db: Db;
  log: Logger;
  platformId: string;
  /** An agent not heard from for this long no longer runs anything we count on. */
  timeoutMs: number;
}

/** `urgent`: an agent connected and waits for its desired set; otherwise soon is enough. */
export type RegistryListener = (urgent: boolean) => void;

export class AgentRegistry {
  private readonly agents = new Map<string, AgentEntry>();
  private readonly listeners: RegistryListener[] = [];

  constructor(private readonly deps: AgentRegistryDeps) {
    for (const row of listAgents(deps.db)) {
      this.agents.set(row.id, {
        id: row.id,
        hostname: row.hostname,
        capacity: row.capacity,
        connected: false,
        lastSeen: Date.parse(row.last_seen),
        statuses: [],
        services: [],
        tasks: [],
        sentKeys: new Set(),
      });
    }
  }

  subscribe(listener: RegistryListener): void {
    this.listeners.push(listener);
  }

  private changed(urgent: boolean): void {
    for (const listener of this.listeners) listener(urgent);
  }

  connect(
    hello: { agentId: string; hostname: string; capacity: number },
    send: (m: ApiMessage) => void,
    link?: AgentLink,
  ): void {
    const previous = this.agents.get(hello.agentId);
    // One connection per agent: an older one still open is closed (its credential is the same).
    if (previous?.link && previous.send !== send)
      previous.link.close('replaced by a newer connection of this agent', 'replaced');
    const entry: AgentEntry = {
      statuses: previous?.statuses ?? [],
      services: previous?.services ?? [],
      tasks: previous?.tasks ?? [],
      sentKeys: previous?.sentKeys ?? new Set(),
      id: hello.agentId,
      hostname: hello.hostname,
      capacity: hello.capacity,
      connected: true,
      lastSeen: Date.now(),
      send,
      ...(link ? { link } : {}),
    };
    this.agents.set(entry.id, entry);
    saveAgent(this.deps.db, { id: entry.id, hostname: entry.hostname, capacity: entry.capacity });
    send({ type: 'welcome', platformId: this.deps.platformId });
    this.deps.log.info({ agent: entry.id, hostname: entry.hostname }, 'agent connected');
    this.changed(true);
  }

  disconnect(agentId: string, send: (m: ApiMessage) => void): void {
    const entry = this.agents.get(agentId);
    if (!entry || entry.send !== send) return; // a newer connection replaced this one
    entry.connected = false;
    entry.send = undefined;
    entry.link = undefined;
    entry.tasks = []; // it can stop nothing now
    entry.lastSeen = Date.now();
    touchAgent(this.deps.db, agentId);
    this.deps.log.warn({ agent: agentId }, 'agent disconnected');
  }

  report(
    agentId: string,
    reported: ProcessStatus[],
    reportedServices?: ServiceStatus[],
    tasks?: SwarmTaskContainer[],
    gates?: SwarmGate[],
  ): void {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    entry.tasks = tasks ?? [];
    // Only what is its own: processes placed on it (or sent to it and still winding down),
    // endpoints on its own address, add-on containers placed on it.
    const { db, log } = this.deps;
    const placed = new Set([...loadPlacements(db)].filter(([, agent]) => agent === agentId).map(([key]) => key));
    const { statuses, refused } = acceptStatuses(reported, {
      placed,
      sent: entry.sentKeys,
      remote: entry.link?.remote,
    });
    if (refused.length && refused.join() !== entry.lastRefused) {
      log.warn(
        { agent: agentId, refused: refused.slice(0, 10) },
        'refused statuses for processes or endpoints not its own',
      );
    }
    entry.lastRefused = refused.join();
    const reportedKeys = new Set(reported.map((s) => s.key));
    for (const key of entry.sentKeys) if (!placed.has(key) && !reportedKeys.has(key)) entry.sentKeys.delete(key);
    let services = reportedServices;
    if (services) {
      const mine = addonIdsOnAgent(db, agentId);
      services = services.filter((s) => mine.has(s.id));
    }
    const changed =
      JSON.stringify(entry.gates ?? []) !== JSON.stringify(gates ?? []) ||
      JSON.stringify(entry.statuses) !== JSON.stringify(statuses) ||
      (services !== undefined && JSON.stringify(entry.services) !== JSON.stringify(services));
    entry.statuses = statuses;
    entry.gates = gates ?? [];
    if (services !== undefined) entry.services = services;
    const now = Date.now();
    if (now - entry.lastSeen > 5000) touchAgent(this.deps.db, agentId);
    entry.lastSeen = now;
    if (changed) this.changed(false); // routes follow the processes that are up
  }

  /**
   * The agents that count now: connected, or gone for less than the timeout. What an agent
   * gone past the timeout last reported is no longer true of anything we run: it is forgotten.
   */
  alive(now = Date.now()): AgentEntry[] {
    const alive: AgentEntry[] = [];
    for (const agent of this.agents.values()) {
      if (agent.connected || now - agent.lastSeen < this.deps.timeoutMs) alive.push(agent);
      else {
        agent.statuses = [];
        agent.services = [];
        agent.gates = [];
      }
    }
    return alive;
  }

  /** Every process as its agent last reported it. */
  reported(): Dyno[] {
    return [...this.agents.values()].flatMap((a) => a.statuses.map((s) => ({ ...s, agent: a.id })));
  }

  /** The swarm task containers the agents say wait at a closed gate (a crash back-off). */
  swarmGates(): SwarmGate[] {
    return [...this.agents.values()].flatMap((a) => a.gates ?? []);
  }

  /** Every add-on service container as its agent last reported it. */
  reportedServices(): (ServiceStatus & { agent: string })[] {
    return [...this.agents.values()].flatMap((a) => a.services.map((s) => ({ ...s, agent: a.id })));
  }

  /** Sends an agent its whole desired set, unless it already has exactly that one. */
  sendDesired(agentId: string, processes: DesiredProcess[], services: DesiredService[]): void {
    const agent = this.agents.get(agentId);
    if (!agent?.connected || !agent.send) return;
    const serialized = JSON.stringify([processes, services]);
    if (serialized === agent.lastSent) return;
    agent.lastSent = serialized;
    for (const p of processes) agent.sentKeys.add(p.key);
    agent.send({ type: 'desired', processes, services });
  }

  /** Sends every connected agent the route table, unless it already has it. */
  sendRoutes(routes: AppRoutesMessage[]): void {
    const serialized = JSON.stringify(routes);
    for (const agent of this.agents.values()) {
      if (!agent.connected || !agent.send || agent.lastRoutes === serialized) continue;
      agent.lastRoutes = serialized;
      agent.send({ type: 'routes', routes });
    }
  }

  /** Sends every connected agent the routers' certificates, unless it already has them. */
  sendCerts(certs: RouterCert[]): void {
    const serialized = JSON.stringify(certs);
    for (const agent of this.agents.values()) {
      if (!agent.connected || !agent.send || agent.lastCerts === serialized) continue;
      agent.lastCerts = serialized;
      agent.send({ type: 'certs', certs });
    }
  }

  /** Tells each agent running one of these processes to stop it now; how many were asked. */
  stop(matches: (status: ProcessStatus) => boolean): number {
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

  /** The connected agent that watches this Swarm task container on its engine, if one does. */
  taskHolder(containerId: string): string | undefined {
    for (const agent of this.agents.values())
      if (agent.connected && agent.send && agent.tasks.some((t) => t.containerId === containerId)) return agent.id;
    return undefined;
  }

  /** Tells a connected agent to stop these Swarm task containers on its engine; false if it cannot be told. */
  stopTasks(agentId: string, tasks: TaskStop[]): boolean {
    const agent = this.agents.get(agentId);
    if (!agent?.connected || !agent.send) return false;
    agent.send({ type: 'stop', keys: [], tasks });
    return true;
  }

  /** Whether this one-off is placed on this agent (its attach link may join it). */
  runsOneOff(agentId: string, oneOffId: string): boolean {
    const oneOff = findOneOff(this.deps.db, oneOffId);
    return !!oneOff && loadPlacements(this.deps.db).get(`${oneOff.app_id}:${oneOffName(oneOff)}`) === agentId;
  }

  /** Closes the connection of every agent whose credential was revoked (or replaced) since. */
  cutOffRevoked(): void {
    for (const agent of this.agents.values()) {
      if (agent.link && !credentialStands(this.deps.db, agent.link.identity)) {
        agent.link.close('agent credential revoked: connection closed', 'revoked');
      }
    }
  }

  connectedIds(): string[] {
    return [...this.agents.values()].filter((a) => a.connected && a.send).map((a) => a.id);
  }
}
