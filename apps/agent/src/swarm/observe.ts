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
  /** The app's id and the process (`a1b2:web.1`): the slot's crash back-off is kept under it. */
  slot: string;
  type: string;
  /** `web.2`: the type and Swarm's slot. */
  process: string;
  command: string | null;
  /** Seconds between SIGTERM and SIGKILL (its service's stop grace period). */
  stopTimeout: number;
}

/** A task container as a process, or null when its labels are not a task's of a platform service. */
export function swarmProcess(c: Pick<ContainerInfo, 'id' | 'labels'>): SwarmProcess | null {
  const task = c.labels['com.docker.swarm.task.name'] ?? '';
  const slot = task.split('.').at(-2) ?? '';
  const app = c.labels[LABELS.app];
  const type = c.labels[LABELS.type];
  if (!app || !type || !/^[1-9][0-9]*$/.test(slot)) return null;
  return {
    containerId: c.id,
    app,
    slot: `${c.labels[LABELS.appId] ?? app}:${type}.${slot}`,
    type,
    process: `${type}.${slot}`,
    command: c.labels[LABELS.command] || null,
    stopTimeout: Number(c.labels[LABELS.stopTimeout] ?? 30) || 30,
  };
}

/** Its process waits at the start gate (the crash back-off, gate.ts) before it runs. */
export const isGated = (c: Pick<ContainerInfo, 'labels'>) => c.labels['paas.gated'] === '1';

/** Where a task container is, as far as the app's log has been told (`gated`: created or at its gate, not run yet). */
export type Seen = 'gated' | 'starting' | 'up' | 'exited';

export interface ObserveOptions {
  /** Containers Swarm was seen stopping (a kill event): their exit is a stop, whatever the status. */
  stopped?: Set<string>;
  /** Whether a container's gate opened (while it runs; before its end, for one that ended). Default: yes. */
  open?: (c: ContainerInfo) => boolean;
  /** Containers whose end was said already (stopped past their boot timeout: R10). */
  said?: Set<string>;
}

export interface ObservedEvent {
  app: string;
  process: string;
  line: string;
}

/**
 * The lines to write for what changed since the last look, what has been told now, and the
 * containers that crashed. On the first look (the agent just started) the containers `adopt`
 * says yes to are taken as they are, silently, as the reconciler adopts its own: those started
 * before this agent, whose start its predecessor said. A process
 * starts when its gate opens; a web task is up once Swarm's health check passes, the others
 * once they run. A container that ends at its gate (Swarm stopped it there) never ran: no word.
 */
export function observe(
  seen: Map<string, Seen>,
  containers: ContainerInfo[],
  adopt: boolean | ((c: ContainerInfo) => boolean),
  options: ObserveOptions = {},
): { events: ObservedEvent[]; next: Map<string, Seen>; crashed: ContainerInfo[] } {
  const { stopped = new Set(), open = () => true, said = new Set() } = options;
  const events: ObservedEvent[] = [];
  const next = new Map<string, Seen>();
  const crashed: ContainerInfo[] = [];
  for (const c of containers) {
    const p = swarmProcess(c);
    if (!p) continue;
    const say = (line: string) => events.push({ app: p.app, process: p.process, line });
    const before = seen.get(c.id);
    // Its process ran: the container started and, behind a gate, the gate opened (before its end).
    const ran = (c.running || c.startedAt !== null) && (!isGated(c) || open(c));
    const ready = c.running && (p.type !== 'web' || !c.health || c.health === 'healthy');
    let now: Seen = ready ? 'up' : 'starting';
    if (!c.running) now = 'exited';
    else if (!ran) now = 'gated';
    if (c.startedAt === null && !c.running) now = 'gated'; // created, not started yet
    if (before === undefined && (adopt === true || (typeof adopt === 'function' && adopt(c)))) {
      next.set(c.id, now);
      continue;
    }
    // Created and not started yet, waiting at its gate, or ended there (Swarm stopped it): no word.
    if (!ran) {
      next.set(c.id, now);
      continue;
    }
    if (before === undefined || before === 'gated') say(EVENTS.starting(p.command));
    if (now === 'up' && before !== 'up') say(EVENTS.changed('starting', 'up'));
    if (now === 'exited' && before !== 'exited' && !said.has(c.id)) {
      say(EVENTS.exited(c.exitCode));
      const crash = !isStop(c, stopped);
      say(EVENTS.changed(before === 'up' ? 'up' : 'starting', crash ? 'crashed' : 'down'));
      if (crash) crashed.push(c);
    }
    next.set(c.id, now);
  }
  return { events, next, crashed };
}

/** Swarm's stops (a scale down, an update) are kills; without one seen, 0 or 143 (SIGTERM) is a stop too. */
function isStop(c: Pick<ContainerInfo, 'id' | 'exitCode'>, stopped: Set<string>): boolean {
  return stopped.has(c.id) || c.exitCode === 0 || c.exitCode === 143;
}

/**
 * Whether an ended task container was a crash, pure (as observe() says it): its process ran
 * (`open`: its gate opened before its end) and it was not stopped, nor its end said already.
 */
export function endedInCrash(c: ContainerInfo, options: ObserveOptions = {}): boolean {
  const { stopped = new Set(), open = () => true, said = new Set() } = options;
  if (c.running || c.startedAt === null || said.has(c.id)) return false;
  return (!isGated(c) || open(c)) && !isStop(c, stopped);
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
