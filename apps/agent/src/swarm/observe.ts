/**
 * The `swarm` runtime seen from an agent, pure. Swarm starts and stops the task containers on
 * this agent's engine; the agent only watches them: each is the process `<type>.<slot>` (the
 * slot from Swarm's task name label), its log is shipped under that name, and what happens to
 * it becomes the same lines in the app's log the agents runtime writes (events.ts).
 */
import { LABELS } from '@paas/shared';
import { EVENTS } from '../logs/events.js';
import type { ContainerInfo } from '../runtime/runtime.js';

/** What marks a task container of this platform's services (the api's swarm-spec.ts writes it). */
export const swarmLabels = (platformId: string) => ({ [LABELS.platform]: platformId, 'paas.runtime': 'swarm' });

export interface SwarmProcess {
  containerId: string;
  app: string;
  type: string;
  /** `web.2`: the type and Swarm's slot. */
  process: string;
  command: string | null;
  /** Seconds between SIGTERM and SIGKILL (its service's stop grace period). */
  stopTimeout: number;
}

/** A task container as a process, or null when its labels are not a task's of a platform service. */
export function swarmProcess(c: ContainerInfo): SwarmProcess | null {
  const task = c.labels['com.docker.swarm.task.name'] ?? '';
  const slot = task.split('.').at(-2) ?? '';
  const app = c.labels[LABELS.app];
  const type = c.labels[LABELS.type];
  if (!app || !type || !/^[1-9][0-9]*$/.test(slot)) return null;
  return {
    containerId: c.id,
    app,
    type,
    process: `${type}.${slot}`,
    command: c.labels[LABELS.command] || null,
    stopTimeout: Number(c.labels[LABELS.stopTimeout] ?? 30) || 30,
  };
}

/** Where a task container is, as far as the app's log has been told. */
export type Seen = 'starting' | 'up' | 'exited';

export interface ObservedEvent {
  app: string;
  process: string;
  line: string;
}

/**
 * The lines to write for what changed since the last look, and what has been told now. On the
 * first look (`adopt`: the agent just started) running containers are taken as they are,
 * silently, as the reconciler adopts its own. A web task is up once Swarm's health check
 * passes; the others once they run.
 */
export function observe(
  seen: Map<string, Seen>,
  containers: ContainerInfo[],
  adopt: boolean,
  /** Containers Swarm was seen stopping (a kill event): their exit is a stop, whatever the status. */
  stopped: Set<string> = new Set(),
): { events: ObservedEvent[]; next: Map<string, Seen> } {
  const events: ObservedEvent[] = [];
  const next = new Map<string, Seen>();
  for (const c of containers) {
    const p = swarmProcess(c);
    if (!p) continue;
    const say = (line: string) => events.push({ app: p.app, process: p.process, line });
    const before = seen.get(c.id);
    const ready = c.running && (p.type !== 'web' || !c.health || c.health === 'healthy');
    let now: Seen = !c.running ? 'exited' : ready ? 'up' : 'starting';
    if (adopt && before === undefined) {
      next.set(c.id, now);
      continue;
    }
    if (before === undefined && !c.running && !c.startedAt) now = 'starting'; // created, not started yet
    if (before === undefined && (c.running || c.startedAt)) say(EVENTS.starting(p.command));
    if (now === 'up' && before !== 'up') say(EVENTS.changed('starting', 'up'));
    if (now === 'exited' && before !== 'exited' && c.startedAt) {
      say(EVENTS.exited(c.exitCode));
      // Swarm's stops (a scale down, an update) are kills; without one seen, 0 or 143 (SIGTERM) is a stop too.
      const stop = stopped.has(c.id) || c.exitCode === 0 || c.exitCode === 143;
      say(EVENTS.changed(before === 'up' ? 'up' : 'starting', stop ? 'down' : 'crashed'));
    }
    next.set(c.id, now);
  }
  return { events, next };
}

/** The signals a task container was seen getting: a stop's SIGTERM, then its SIGKILL. */
export interface KillsSeen {
  term: boolean;
  kill: boolean;
}

/**
 * The lines a kill event of a task container means, as the agents runtime says its stops:
 * `Stopping process with SIGTERM`; a SIGKILL after it is the stop timeout run out (R12). The
 * event's `signal` (`15`, `9`) decides; without one, the first kill is the SIGTERM.
 */
export function killLines(
  seen: KillsSeen,
  signal: string | undefined,
  stopTimeout: number,
): { lines: string[]; next: KillsSeen } {
  const kill = signal === undefined ? seen.term : signal === '9' || signal === 'SIGKILL' || signal === 'KILL';
  if (!kill && !seen.term) return { lines: ['Stopping process with SIGTERM'], next: { ...seen, term: true } };
  if (kill && !seen.kill) {
    const r12 = `Error R12 (Exit timeout) -> Process failed to exit within ${stopTimeout} seconds of SIGTERM`;
    return { lines: [...(seen.term ? [r12] : []), 'Stopping process with SIGKILL'], next: { ...seen, kill: true } };
  }
  return { lines: [], next: seen };
}
