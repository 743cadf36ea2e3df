/**
 * What agents and the api say of Swarm task containers (the `swarm` runtime), in the
 * agent protocol (protocol.ts): which task containers an agent watches, which of them wait at
 * their start gate, and which one to stop now.
 */
import { z } from 'zod';

/** Where the agent of a task's node writes how long the task's start gate waits (seconds). */
export const SWARM_GATE_FILE = '/.paas-gate';

/**
 * The `swarm` runtime: a task container on the agent's engine held at its start gate after a
 * crash (the agent's back-off, see apps/agent/src/swarm/): Swarm calls it running, `ps` shows
 * the process crashed until the gate opens.
 */
export const swarmGate = z.object({
  containerId: z.string().min(1),
  /** When the process crashed (ISO). */
  since: z.string(),
  exitCode: z.number().int().nullable(),
  /** Its restarts so far (the back-off's count). */
  restarts: z.number().int(),
  /** When the gate opens (ISO). */
  until: z.string(),
});
export type SwarmGate = z.infer<typeof swarmGate>;

/** A Swarm task container an agent watches on its engine: its id, and the process it is. */
export const swarmTaskContainer = z.object({ containerId: z.string().min(1), app: z.string(), process: z.string() });
export type SwarmTaskContainer = z.infer<typeof swarmTaskContainer>;

/**
 * A Swarm task container to stop now (the `swarm` runtime's `ps:stop web.2`): gracefully, after
 * `endpoint` (where the routers reach it) is drained on this agent's router.
 */
export const taskStop = z.object({
  containerId: z.string().min(1),
  endpoint: z.object({ host: z.string(), port: z.number().int() }).optional(),
});
export type TaskStop = z.infer<typeof taskStop>;
