/**
 * Stopping one Swarm task (the `swarm` runtime's `ps:stop web.2` and `ps:restart web.2`).
 * Swarm has no call that replaces one task of a service, but it starts a slot again when its
 * container ends (restart policy `any`): so the api asks the agent that watches the task's
 * container on its node (it reports them in its status) to stop it gracefully, as the agents
 * runtime stops its own (drained on that agent's router, SIGTERM, SIGKILL after the stop
 * timeout), and Swarm replaces it: same slot, new task. The api's engine is only the manager:
 * the task may run on another node, which only that node's agent reaches. A task whose agent
 * is not connected cannot be stopped: the caller is told so, and nothing is stopped.
 *
 * A per-process restart is stored (a restart request for `web.2`) and applied here,
 * level-triggered: a task made before the latest request for its process is stopped, until
 * the slot's task is newer than the request (so it holds over an api restart).
 */
import type { TaskStop } from '@paas/shared';
import type { SwarmService, SwarmTask } from '../../docker-swarm.js';
import { PaasError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { generationOf } from './desired.js';
import type { Dyno } from './dyno-view.js';

/** The agents as far as stopping a task goes (the AgentRegistry). */
export interface TaskAgents {
  /** The connected agent that watches this container, if one does. */
  taskHolder(containerId: string): string | undefined;
  /** Sends the stops; false if that agent cannot be told now. */
  stopTasks(agentId: string, tasks: TaskStop[]): boolean;
}

/** Swarm's timestamps carry nanoseconds; Date.parse wants at most milliseconds. */
const millis = (iso: string) => Date.parse(iso.replace(/(\.\d{3})\d+/, '$1'));

/**
 * The current tasks to replace for a per-process restart: a restart request for the process
 * (`web.2`) newer than its type's and app's (those roll the whole service) and newer than the
 * task itself. Pure.
 */
export function tasksToRestart(
  services: SwarmService[],
  tasks: SwarmTask[],
  restartsOf: (appId: string) => Map<string, string>,
): { appId: string; name: string; containerId: string }[] {
  const byId = new Map(services.map((s) => [s.id, s]));
  const due: { appId: string; name: string; containerId: string }[] = [];
  for (const t of tasks) {
    const service = byId.get(t.serviceId);
    if (!service || t.desiredState !== 'running' || !t.containerId || t.slot <= 0) continue;
    const appId = service.labels['paas.app-id'] ?? '';
    const type = service.labels['paas.type'] ?? '';
    const name = `${type}.${t.slot}`;
    const restarts = restartsOf(appId);
    const at = restarts.get(name);
    if (!at || at <= generationOf(restarts, type, type)) continue;
    if (millis(at) > millis(t.createdAt)) due.push({ appId, name, containerId: t.containerId });
  }
  return due;
}

/** The generation a type's service carries: its type's and app's restarts, not one process's. */
export function typeGeneration(restarts: Map<string, string>, type: string): string {
  return generationOf(restarts, type, type);
}

export class TaskStopper {
  /** Containers being stopped → until when they show as `stopping` (then as Swarm says). */
  private readonly stopping = new Map<string, number>();
  /** Every container stopped on request whose task Swarm still lists (its end is no crash). */
  readonly stopped = new Set<string>();

  constructor(private readonly deps: { agents: TaskAgents; log: Logger }) {}

  /**
   * Stops these processes' containers through their agents; throws (stopping none) when one
   * has no agent connected to do it. Returns how many were told to stop.
   */
  stop(dynos: Dyno[], stopTimeoutOf: (containerId: string) => number, now = Date.now()): number {
    const { agents, log } = this.deps;
    let count = 0;
    for (const [agent, list] of this.plan(dynos)) {
      if (
        !agents.stopTasks(
          agent,
          list.map((l) => l.stop),
        )
      )
        continue;
      for (const { dyno, stop } of list) {
        // Shown stopping until Swarm reports it ended; past its stop timeout (and a margin), as Swarm says.
        this.stopping.set(stop.containerId, now + (stopTimeoutOf(stop.containerId) + 60) * 1000);
        this.stopped.add(stop.containerId);
        log.info({ app: dyno.app, process: dyno.name, agent }, 'asked the agent of its node to stop a swarm task');
      }
      count += list.length;
    }
    return count;
  }

  /** Throws, as `stop` would, when one of these processes has no agent to stop it now. */
  check(dynos: Dyno[]): void {
    this.plan(dynos);
  }

  /** The stops to send, by agent; throws (naming them) if some process has no agent connected. */
  private plan(dynos: Dyno[]): Map<string, { dyno: Dyno; stop: TaskStop }[]> {
    const byAgent = new Map<string, { dyno: Dyno; stop: TaskStop }[]>();
    const unreachable: Dyno[] = [];
    for (const dyno of dynos) {
      const containerId = dyno.containerId;
      if (!containerId || (dyno.state !== 'up' && dyno.state !== 'starting')) continue;
      const agent = this.deps.agents.taskHolder(containerId);
      if (!agent) {
        unreachable.push(dyno);
        continue;
      }
      const stop = { containerId, ...(dyno.endpoint ? { endpoint: dyno.endpoint } : {}) };
      byAgent.set(agent, [...(byAgent.get(agent) ?? []), { dyno, stop }]);
    }
    if (unreachable.length) {
      const which = unreachable.map((d) => `${d.name} (node ${d.agent || 'unknown'})`).join(', ');
      throw new PaasError(
        'unavailable',
        `Cannot stop ${which} now: no paas agent is connected on its node to stop it. Nothing was stopped; try again once the node's agent is back.`,
      );
    }
    return byAgent;
  }

  /** Whether this container was asked to stop (and is not known to be gone). */
  isStopping(containerId: string): boolean {
    return this.stopping.has(containerId);
  }

  /** The dynos as `ps` and the routers should see them: those being stopped are `stopping`. */
  mark(dynos: Dyno[]): Dyno[] {
    return dynos.map((d) =>
      d.containerId && this.stopping.has(d.containerId) ? { ...d, state: 'stopping', endpoint: null } : d,
    );
  }

  /**
   * Forgets stops whose container is no longer a current task (or that took too long), and
   * stopped containers whose task Swarm no longer lists at all (`listed`).
   */
  forget(current: Set<string>, listed: Set<string> = current, now = Date.now()): void {
    for (const [id, until] of this.stopping) if (!current.has(id) || now > until) this.stopping.delete(id);
    for (const id of this.stopped) if (!listed.has(id)) this.stopped.delete(id);
  }
}
