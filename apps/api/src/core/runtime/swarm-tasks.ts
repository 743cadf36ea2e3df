/**
 * Swarm's tasks as the platform's processes, pure: each task of a service (app, type) is the
 * process `<type>.<slot>` (`web.1`, `web.2` …), so `ps` and the routers see Swarm's work in
 * the same shape as the agents'. A web task that runs (past its health check: Swarm holds it
 * in `starting` until then) is `up`, reached at its node's address and the host port Swarm
 * published its $PORT on.
 */
import { LABELS, type ProcessState, type SwarmGate } from '@paas/shared';
import type { SwarmNode, SwarmService, SwarmTask } from '../../docker-swarm.js';
import type { Dyno } from './dyno-view.js';

const ENDED = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

/** The process state of a task Swarm wants running (or ready: waiting out a restart delay). */
export function taskState(task: SwarmTask, crashedBefore: boolean): ProcessState {
  if (task.desiredState === 'shutdown' || task.desiredState === 'remove') {
    return task.state === 'running' ? 'stopping' : 'down';
  }
  if (task.state === 'running') return 'up';
  if (ENDED.has(task.state)) return 'crashed';
  // Created after a crash and waiting for its restart delay, or starting again after one.
  return crashedBefore && task.desiredState === 'ready' ? 'crashed' : 'starting';
}

export function swarmDynos(
  services: SwarmService[],
  tasks: SwarmTask[],
  nodes: SwarmNode[],
  /** Containers stopped on request (`ps:stop web.2`): their end is no crash, whatever the status. */
  stopped: Set<string> = new Set(),
): Dyno[] {
  const byId = new Map(services.map((s) => [s.id, s]));
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const slots = new Map<string, SwarmTask[]>();
  for (const t of tasks) {
    if (!byId.has(t.serviceId) || t.slot <= 0) continue;
    const k = `${t.serviceId}:${t.slot}`;
    slots.set(k, [...(slots.get(k) ?? []), t]);
  }
  const dynos: Dyno[] = [];
  for (const group of slots.values()) {
    group.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const ended = group.filter((t) => ENDED.has(t.state) && t.desiredState !== 'running');
    const failed = ended.filter(
      (t) => !(t.containerId && stopped.has(t.containerId)) && (t.state === 'failed' || (t.exitCode ?? 0) !== 0),
    );
    const current = group.filter(
      (t) => t.desiredState === 'running' || t.desiredState === 'ready' || t.state === 'running',
    );
    for (const task of current) {
      const service = byId.get(task.serviceId) as SwarmService;
      const type = service.labels[LABELS.type] ?? '';
      const appId = service.labels[LABELS.appId] ?? '';
      const name = `${type}.${task.slot}`;
      const state = taskState(task, failed.length > 0);
      if (state === 'down') continue;
      const node = nodeById.get(task.nodeId);
      const last = ended.at(-1);
      dynos.push({
        key: `${appId}:${name}`,
        app: service.labels[LABELS.app] ?? '',
        appId,
        type,
        index: task.slot,
        name,
        release: {
          id: task.labels[LABELS.releaseId] ?? '',
          version: Number(task.labels[LABELS.releaseVersion] ?? 0),
        },
        generation: task.labels[LABELS.generation] ?? '',
        command: task.labels[LABELS.command] || null,
        state,
        since: task.since,
        exitCode: state === 'crashed' ? (task.exitCode ?? last?.exitCode ?? null) : null,
        restarts: failed.length,
        containerId: task.containerId,
        startedAt: task.state === 'running' ? task.since : null,
        endpoint:
          type === 'web' && task.state === 'running' && task.publishedPort && node?.addr
            ? { host: node.addr, port: task.publishedPort }
            : null,
        agent: node?.hostname ?? '',
      });
    }
  }
  return dynos;
}

/**
 * The processes the agents hold at a closed start gate (a crash back-off: Swarm calls their
 * tasks running or starting) are `crashed`, with the crash's exit code, until the gate opens.
 */
export function withGates(dynos: Dyno[], gates: SwarmGate[], now: number): Dyno[] {
  const closed = new Map(gates.filter((g) => Date.parse(g.until) > now).map((g) => [g.containerId, g]));
  if (closed.size === 0) return dynos;
  return dynos.map((d) => {
    const g = d.containerId ? closed.get(d.containerId) : undefined;
    if (!g || d.state === 'stopping') return d;
    return {
      ...d,
      state: 'crashed',
      since: g.since,
      exitCode: g.exitCode ?? d.exitCode,
      restarts: Math.max(d.restarts, g.restarts),
      startedAt: null,
      endpoint: null,
    };
  });
}
