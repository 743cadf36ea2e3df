/**
 * The agents the api knows: who is connected, what each last reported, and how to reach it
 * (the `send` its connection registered). Agents are remembered in the store, so after an
 * api restart an agent that has not reconnected yet keeps its processes until the timeout.
 * Transport-free: routes/agents.ts owns the WebSocket.
 */
import type { ApiMessage, AppRoutesMessage, DesiredProcess, ProcessStatus, RouterCert } from '@paas/shared';
import type { Logger } from '../../logger.js';
import type { Db } from '../../store/db.js';
import { listAgents, saveAgent, touchAgent } from '../../store/processes.js';
import type { Dyno } from './dyno-view.js';

export interface AgentEntry {
  id: string;
  hostname: string;
  capacity: number;
  connected: boolean;
  lastSeen: number;
  statuses: ProcessStatus[];
  send?: (message: ApiMessage) => void;
  /** What was last sent, so an unchanged set is not sent again. */
  lastSent?: string;
  lastRoutes?: string;
  lastCerts?: string;
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
      });
    }
  }

  subscribe(listener: RegistryListener): void {
    this.listeners.push(listener);
  }

  private changed(urgent: boolean): void {
    for (const listener of this.listeners) listener(urgent);
  }

  connect(hello: { agentId: string; hostname: string; capacity: number }, send: (m: ApiMessage) => void): void {
    const entry: AgentEntry = {
      statuses: this.agents.get(hello.agentId)?.statuses ?? [],
      id: hello.agentId,
      hostname: hello.hostname,
      capacity: hello.capacity,
      connected: true,
      lastSeen: Date.now(),
      send,
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
    entry.lastSeen = Date.now();
    touchAgent(this.deps.db, agentId);
    this.deps.log.warn({ agent: agentId }, 'agent disconnected');
  }

  report(agentId: string, statuses: ProcessStatus[]): void {
    const entry = this.agents.get(agentId);
    if (!entry) return;
    const changed = JSON.stringify(entry.statuses) !== JSON.stringify(statuses);
    entry.statuses = statuses;
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
      else agent.statuses = [];
    }
    return alive;
  }

  /** Every process as its agent last reported it. */
  reported(): Dyno[] {
    return [...this.agents.values()].flatMap((a) => a.statuses.map((s) => ({ ...s, agent: a.id })));
  }

  /** Sends an agent its whole desired set, unless it already has exactly that one. */
  sendDesired(agentId: string, processes: DesiredProcess[]): void {
    const agent = this.agents.get(agentId);
    if (!agent?.connected || !agent.send) return;
    const serialized = JSON.stringify(processes);
    if (serialized === agent.lastSent) return;
    agent.lastSent = serialized;
    agent.send({ type: 'desired', processes });
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

  connectedIds(): string[] {
    return [...this.agents.values()].filter((a) => a.connected && a.send).map((a) => a.id);
  }
}
