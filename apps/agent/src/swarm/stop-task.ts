/**
 * The `swarm` runtime's `ps:stop web.2` (and `ps:restart web.2`) on this agent's engine: the
 * api asks the agent of the node that runs the task to stop its container, as the agents
 * runtime stops its own: out of this host's routing with its in-flight requests done, then
 * SIGTERM and SIGKILL after its stop timeout (Docker's stop). Swarm then starts the slot again
 * (a new task, the same `web.2`); the observer says each step in the app's log from Docker's
 * events, as it does for Swarm's own stops. Only a task container of this platform the
 * observer knows is stopped: nothing else on the engine.
 */
import type { TaskStop } from '@paas/shared';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime/runtime.js';
import type { SwarmProcess } from './observe.js';

export interface StopTaskDeps {
  runtime: Runtime;
  log: Logger;
  /** The observed task container by id (looked at again first, so a new one is known). */
  find: (containerId: string) => Promise<SwarmProcess | undefined>;
  /** Takes the endpoint out of this host's router and waits for its in-flight requests. */
  drain?: (containerId: string, endpoint: { host: string; port: number }) => Promise<void>;
  /** The container is stopped: its drain is over (Swarm may give its port to another task). */
  release?: (containerId: string) => void;
}

/** Stops each of these task containers (in parallel); one that is not a known task is skipped. */
export async function stopTasks(deps: StopTaskDeps, stops: TaskStop[]): Promise<void> {
  await Promise.all(stops.map((s) => stopTask(deps, s)));
}

async function stopTask(deps: StopTaskDeps, { containerId, endpoint }: TaskStop): Promise<void> {
  const { runtime, log } = deps;
  try {
    const task = await deps.find(containerId);
    if (!task) {
      log.warn({ container: containerId.slice(0, 12) }, 'asked to stop a task container this agent does not watch');
      return;
    }
    log.info({ app: task.app, process: task.process, container: containerId.slice(0, 12) }, 'stopping a swarm task');
    try {
      if (endpoint) await deps.drain?.(containerId, endpoint);
      await runtime.stop(containerId, task.stopTimeout);
    } finally {
      if (endpoint) deps.release?.(containerId);
    }
  } catch (err) {
    log.error({ err, container: containerId.slice(0, 12) }, 'could not stop a swarm task container');
  }
}
