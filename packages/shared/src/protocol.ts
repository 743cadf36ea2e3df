/**
 * The agent protocol: JSON messages over one WebSocket per agent (agent → api connects).
 * Level-triggered: the api always sends an agent its whole desired set; the agent always
 * reports the state of every process it has. Each message is a zod schema (validator and
 * type in one), discriminated on `type`.
 */
import { z } from 'zod';
import { logLine } from './logs.js';
import { swarmGate, swarmTaskContainer, taskStop } from './protocol-swarm.js';

/** The port a web process binds inside its container ($PORT); published on 127.0.0.1. */
export const WEB_PORT = 5000;

export const PROCESS_STATES = ['starting', 'up', 'crashed', 'stopping', 'down'] as const;
export const processState = z.enum(PROCESS_STATES);
export type ProcessState = z.infer<typeof processState>;

/** One process the api wants an agent to run. `key` is stable across releases: app id + name. */
export const desiredProcess = z.object({
  key: z.string(),
  app: z.string(),
  appId: z.string(),
  type: z.string(),
  index: z.number().int().positive(),
  name: z.string(),
  release: z.object({ id: z.string(), version: z.number().int().positive() }),
  image: z.string(),
  /** Procfile command (run by /bin/sh -c), or null for the image's own CMD. */
  command: z.string().nullable(),
  env: z.record(z.string(), z.string()),
  /** Seconds between SIGTERM and SIGKILL. */
  stopTimeout: z.number().positive(),
  /** Bumped by a restart request: a running process of another generation is replaced. */
  generation: z.string(),
  /** Web only: a path that must answer 2xx/3xx before the process gets traffic (PAAS_HEALTHCHECK_PATH). */
  healthCheckPath: z.string().nullable().optional(),
  /** Web only: seconds a new process has to answer on $PORT before it is stopped (R10). */
  bootTimeout: z.number().positive().optional(),
  /** The app's own network (appNetwork): its processes, one-offs and add-ons, nothing else. */
  network: z.string().optional(),
  /**
   * The dyno size (dyno-sizes.ts, canonical name: `Basic`, `Standard-2X`…): the container's
   * memory, CPU and pids limits. Absent: DEFAULT_DYNO_SIZE. A change replaces the process.
   */
  size: z.string().optional(),
  /**
   * A one-off (`paas run`): started once, never restarted, not part of the formation. `id` is
   * the one-off's id (its attach session's name); `attach`: the agent connects the container's
   * stdio to the api (/agents/attach/:id) and starts it only when told; `tty`: with a pseudo
   * terminal; `timeout`: seconds after its start at which it is stopped (PAAS_RUN_TIMEOUT).
   */
  oneOff: z
    .object({
      id: z.string().min(1),
      attach: z.boolean(),
      tty: z.boolean(),
      timeout: z.number().positive(),
    })
    .optional(),
});
export type DesiredProcess = z.infer<typeof desiredProcess>;

/** The Docker network of one app: its processes and the add-ons attached to it, nothing else. */
export const appNetwork = (appId: string) => `paas-app-${appId}`;

/**
 * The same under the `swarm` runtime: an attachable overlay network (Swarm scope, one per app,
 * made and removed by the api) that its services' tasks, its one-offs and its add-ons join on
 * any node. Its own name (a `-c` after the app's bridge's: the two may exist at once on one
 * engine while a platform switches runtimes, and Docker would make two networks of one name).
 */
export const appOverlay = (appId: string) => `${appNetwork(appId)}-c`;

/** Whether an app network is the api's overlay (an agent never makes it; Docker finds it on any node). */
export const isAppOverlay = (network: string) => /^paas-app-.+-c$/.test(network);

export const SERVICE_KINDS = ['postgres', 'redis'] as const;
export const serviceKind = z.enum(SERVICE_KINDS);
export type ServiceKind = z.infer<typeof serviceKind>;

/**
 * One add-on's service container an agent keeps running (on the host holding its volume).
 * It joins the network of each app it is attached to, reachable there as `name`; it publishes
 * no port. Deploys, config changes and restarts of those apps never touch it.
 */
export const desiredService = z.object({
  /** The add-on's id: the container's `paas.service` label and its volume's name. */
  id: z.string(),
  /** The add-on's name (postgresql-shaped-12345): its host name on the apps' networks. */
  name: z.string(),
  kind: serviceKind,
  image: z.string(),
  env: z.record(z.string(), z.string()),
  /** The apps (ids) whose networks it joins: the owner's first, then each attached app's. */
  appIds: z.array(z.string()).min(1),
  /**
   * The networks it joins, when not each app's bridge (`appIds` → appNetwork): under the
   * swarm runtime, the apps' overlays (appOverlay), and a bridge while its app still has
   * processes on agents (a platform switching runtimes).
   */
  networks: z.array(z.string()).min(1).optional(),
  /** The owning app's name (for the agent's log lines). */
  app: z.string(),
});
export type DesiredService = z.infer<typeof desiredService>;

export const SERVICE_STATES = ['starting', 'up', 'crashed'] as const;
export const serviceStatus = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(SERVICE_STATES),
  since: z.string(),
  restarts: z.number().int(),
  containerId: z.string().nullable(),
});
export type ServiceStatus = z.infer<typeof serviceStatus>;

export const processStatus = z.object({
  key: z.string(),
  app: z.string(),
  appId: z.string(),
  type: z.string(),
  index: z.number().int(),
  name: z.string(),
  release: z.object({ id: z.string(), version: z.number().int() }),
  generation: z.string(),
  state: processState,
  since: z.string(),
  exitCode: z.number().int().nullable(),
  restarts: z.number().int(),
  containerId: z.string().nullable(),
  /** When the container started (its log is read from there). */
  startedAt: z.string().nullable().optional(),
  command: z.string().nullable(),
  /** Where a web process listens, on the agent's host (127.0.0.1 only). */
  endpoint: z.object({ host: z.string(), port: z.number().int() }).nullable(),
  /** A one-off's id; with state `down` and its exit code once it has exited (then the api forgets it). */
  oneOff: z.object({ id: z.string(), attach: z.boolean() }).optional(),
  /** The dyno size its container runs with (absent: not known yet). */
  size: z.string().optional(),
});
export type ProcessStatus = z.infer<typeof processStatus>;

/**
 * Where a container's line was read: the container, the stream, Docker's timestamp of the
 * message it ended in (RFC 3339, nanoseconds, fixed width) and its piece within that message.
 * Per container and stream these only grow, so the api can drop a line it already has.
 */
export const logCursor = z.object({
  container: z.string().min(1),
  stream: z.enum(['stdout', 'stderr']),
  ts: z.string(),
  part: z.number().int().min(0),
});
export type LogCursor = z.infer<typeof logCursor>;

export const shippedLine = logLine.extend({
  seq: z.number().int().positive(),
  app: z.string(),
  cursor: logCursor.optional(),
});
export type ShippedLine = z.infer<typeof shippedLine>;

export const agentMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    agentId: z.string().min(1),
    hostname: z.string(),
    capacity: z.number().int().positive(),
  }),
  /**
   * `services`: this agent's add-on containers (absent from agents that keep none). `tasks`:
   * the Swarm task containers it watches on its engine (the `swarm` runtime; absent or empty
   * otherwise), so the api knows which agent can stop one of them. `gates`: those of them
   * waiting out a crash back-off (absent: none).
   */
  z.object({
    type: z.literal('status'),
    processes: z.array(processStatus),
    services: z.array(serviceStatus).optional(),
    tasks: z.array(swarmTaskContainer).optional(),
    gates: z.array(swarmGate).optional(),
  }),
  /**
   * Log lines of this host's processes, router and events, in order. Each carries the agent's
   * sequence number (per agent run); the api acknowledges (`logs-ack`) once it has stored them,
   * and the agent resends what is unacknowledged after a reconnect. `dropped`: lines the agent
   * lost to its buffer's bound, per app.
   */
  z.object({
    type: z.literal('logs'),
    run: z.string().min(1),
    lines: z.array(shippedLine),
    dropped: z.array(z.object({ app: z.string(), count: z.number().int().positive() })).optional(),
  }),
]);
export type AgentMessage = z.infer<typeof agentMessage>;

/** The router's table for one app: the Host names it answers and its healthy web endpoints. */
export const appRoutes = z.object({
  app: z.string(),
  hosts: z.array(z.string()),
  endpoints: z.array(z.object({ host: z.string(), port: z.number().int(), name: z.string() })),
});
export type AppRoutesMessage = z.infer<typeof appRoutes>;

/**
 * A certificate for the router's TLS port: `name` is its file's name on the agent (`default`:
 * the platform CA's certificate for `*.<PAAS_DOMAIN>`, served when no other one matches the
 * SNI name); `pem` is the certificate (and its chain) followed by its private key.
 */
export const routerCert = z.object({ name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,80}$/), pem: z.string() });
export type RouterCert = z.infer<typeof routerCert>;

export const apiMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), platformId: z.string() }),
  /**
   * The agent's whole share. `services` absent: keep the add-on containers as they are (an
   * older api); present: exactly these (a service container not in it is removed, volume too).
   */
  z.object({
    type: z.literal('desired'),
    processes: z.array(desiredProcess),
    services: z.array(desiredService).optional(),
  }),
  /**
   * Stop these processes now (gracefully); being still desired, they come back. `tasks`: Swarm
   * task containers on this agent's engine to stop (Swarm starts their slot again).
   */
  z.object({ type: z.literal('stop'), keys: z.array(z.string()), tasks: z.array(taskStop).optional() }),
  /** Every app's routes, for the router on each agent's host. */
  z.object({ type: z.literal('routes'), routes: z.array(appRoutes) }),
  /** Every certificate the router serves on its TLS port (sent after `welcome` and on each change). */
  z.object({ type: z.literal('certs'), certs: z.array(routerCert) }),
  /** Every log line of this agent run up to `seq` is stored: the agent may forget them. */
  z.object({ type: z.literal('logs-ack'), run: z.string(), seq: z.number().int().min(0) }),
]);
export type ApiMessage = z.infer<typeof apiMessage>;

/** Container labels the agent puts on (and reads back from) every container it runs. */
export const LABELS = {
  platform: 'paas.platform',
  agent: 'paas.agent',
  key: 'paas.key',
  app: 'paas.app',
  appId: 'paas.app-id',
  type: 'paas.type',
  index: 'paas.index',
  name: 'paas.process',
  releaseId: 'paas.release-id',
  releaseVersion: 'paas.release',
  generation: 'paas.generation',
  stopTimeout: 'paas.stop-timeout',
  command: 'paas.command',
  /** The dyno size the container was made with (its limits): another size replaces it. */
  size: 'paas.size',
  /** On add-on containers and volumes (the add-on's id and kind) instead of the process labels. */
  service: 'paas.service',
  serviceKind: 'paas.service-kind',
  /** A one-off's id (`paas run`); its container is never restarted. */
  oneOff: 'paas.one-off',
  /** `attached` or `detached`: an attached one-off's output is its client's, not the log's. */
  oneOffMode: 'paas.one-off-mode',
  /** Seconds a one-off may run (PAAS_RUN_TIMEOUT), from its start. */
  runTimeout: 'paas.run-timeout',
} as const;

/**
 * The attach link (agent ⇄ api at /agents/attach/:id, and client ⇄ api at /rendezvous/:secret):
 * binary WebSocket frames are the process's bytes (stdin one way, stdout+stderr the other);
 * text frames are these control messages, JSON.
 */
export const attachControl = z.discriminatedUnion('type', [
  /** api → agent: the client is there, start the process (the window size first, if any). */
  z.object({
    type: z.literal('start'),
    cols: z.number().int().positive().optional(),
    rows: z.number().int().positive().optional(),
  }),
  /** client → api → agent: the terminal's new size. */
  z.object({ type: z.literal('resize'), cols: z.number().int().positive(), rows: z.number().int().positive() }),
  /** client → api → agent: no more stdin. */
  z.object({ type: z.literal('eof') }),
  /** agent → api → client: the process exited with this status (null: unknown, e.g. removed). */
  z.object({ type: z.literal('exit'), code: z.number().int().nullable() }),
  /** api → client: why the session ends without an exit status. */
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type AttachControl = z.infer<typeof attachControl>;
