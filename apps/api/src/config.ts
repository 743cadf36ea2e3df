/**
 * The api's configuration: read from the environment once, validated, frozen.
 * This is the only module of the api that reads process.env.
 */
import path from 'node:path';
import { ConfigError, parseEnv, RUN_TIMEOUT_MAX_SECONDS, STOP_TIMEOUT_MAX_SECONDS } from '@paas/shared';
import { z } from 'zod';
import { isCidr } from './core/drain-guard.js';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = z.coerce
  .number()
  .positive()
  .max(24 * 3600);

const schema = z.object({
  PORT: port.default(5000),
  PAAS_DATA_DIR: z.string().min(1).default('./.paas'),
  PAAS_API_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII with no spaces')
    .optional(),
  PAAS_DOMAIN: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name like localhost or paas.example.com')
    .default('localhost'),
  PAAS_ROUTER_PORT: port.default(8080),
  PAAS_SHUTDOWN_TIMEOUT: seconds.default(60),
  /** No longer used (agents each have their own credential); read only to warn. */
  PAAS_AGENT_TOKEN: z.string().optional(),
  /** The agent channel: TLS (platform CA), agents' own credentials; 0 leaves it off. */
  PAAS_AGENT_PORT: port.default(5002),
  /** Names or addresses agents reach the api by, beyond this host's own (its certificate's names). */
  PAAS_AGENT_HOSTS: z
    .string()
    .regex(/^[a-z0-9.:-]+(,[a-z0-9.:-]+)*$/i, 'must be host names or IP addresses, separated by commas')
    .optional(),
  PAAS_AGENT_TIMEOUT: seconds.default(60),
  /** SIGTERM → SIGKILL, at most an hour (an app's own PAAS_STOP_TIMEOUT has the same ceiling). */
  PAAS_STOP_TIMEOUT: z.coerce
    .number()
    .positive('must be a number of seconds from 1 to 3600')
    .max(STOP_TIMEOUT_MAX_SECONDS, 'must be at most 3600 seconds (an hour)')
    .default(30),
  PAAS_BOOT_TIMEOUT: seconds.default(60),
  /** Seconds a one-off (`paas run`) may run; an app's PAAS_RUN_TIMEOUT config var overrides. */
  PAAS_RUN_TIMEOUT: z.coerce.number().int().positive().max(RUN_TIMEOUT_MAX_SECONDS).default(86_400),
  /** The one-off rendezvous service (TLS; `heroku run` connects to it); 0 leaves it off. */
  PAAS_RENDEZVOUS_PORT: port.default(5001),
  /** The host name attach URLs give (default: the host the client reached the api by). */
  PAAS_RENDEZVOUS_HOST: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name or IPv4 address')
    .optional(),
  /** How long a release command may run before it is stopped and its release fails. */
  PAAS_RELEASE_TIMEOUT: seconds.default(3600),
  PAAS_KEEP_RELEASES: z.coerce.number().int().min(1).max(10_000).default(10),
  /**
   * Who runs the processes: `agents` (paas agents place containers; one host to a few) or
   * `swarm` (Docker Swarm services on the engine's swarm; the agents route and ship logs).
   */
  PAAS_RUNTIME: z.enum(['agents', 'swarm'], { error: 'must be agents or swarm' }).default('agents'),
  /**
   * The platform's image registry (`host:port`, deploy/registry.sh), for the swarm runtime:
   * images are pushed there and every node pulls them. Unset: a single-node swarm.
   */
  PAAS_REGISTRY: z
    .string()
    .regex(/^[a-z0-9.-]+:[0-9]{1,5}$/i, 'must be host:port')
    .optional(),
  /** Its password (user `paas`); default: $PAAS_DATA_DIR/registry/password, as deploy/registry.sh writes it. */
  PAAS_REGISTRY_PASSWORD: z.string().min(1).optional(),
  /** Internal ranges drains may reach anyway (CIDRs, comma-separated): by default none. */
  PAAS_DRAIN_ALLOW: z
    .string()
    .refine((v) => v.split(',').every((c) => isCidr(c.trim())), 'must be CIDRs like 10.1.0.0/16, separated by commas')
    .transform((v) => v.split(',').map((c) => c.trim()))
    .optional(),
  /** Seconds a build may take before it is stopped (Heroku: 15 min; here 20 by default). */
  PAAS_BUILD_TIMEOUT: z.coerce
    .number()
    .int()
    .min(10)
    .max(24 * 3600)
    .default(1200),
  /** Memory (MB) and CPUs the containers of a build may use. */
  PAAS_BUILD_MEMORY: z.coerce
    .number()
    .int()
    .min(64)
    .max(1024 * 1024)
    .default(2048),
  PAAS_BUILD_CPUS: z.coerce.number().min(0.1).max(1024).default(1),
  /** Bytes of output a build may print (kept and sent to the pusher) before it is stopped. */
  PAAS_BUILD_MAX_OUTPUT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  /** Bytes a push may send (after gunzip), larger ones are refused. */
  PAAS_MAX_PUSH_SIZE: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024 * 1024)
    .default(500 * 1024 * 1024),
  DOCKER_HOST: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = Readonly<z.infer<typeof schema> & { dataDir: string }>;

export { ConfigError };

/** Parses an environment; throws ConfigError naming every bad variable (never its value). */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const data = parseEnv(schema, env);
  return Object.freeze({ ...data, dataDir: path.resolve(data.PAAS_DATA_DIR) });
}

export function loadConfig(): Config {
  return parseConfig(process.env);
}

/** The environment for a child process (git): this process's own, plus `extra`. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** A bare environment for a child process: PATH, HOME and locale of this one, plus `extra`. */
export function minimalEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const { PATH, HOME, LANG } = process.env;
  return Object.fromEntries(
    Object.entries({ PATH, HOME, LANG, ...extra }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
