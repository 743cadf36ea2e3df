/** The agent's configuration: read from the environment once, validated, frozen. */
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseEnv } from '@paas/shared';
import { z } from 'zod';

const schema = z.object({
  PAAS_API_URL: z.url().default('http://127.0.0.1:5000'),
  PAAS_AGENT_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  PAAS_AGENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be letters, digits, ".", "_" or "-"')
    .default(os.hostname()),
  PAAS_AGENT_DATA_DIR: z.string().optional(),
  PAAS_AGENT_CAPACITY: z.coerce.number().int().positive().default(100),
  /** The router's port on this host; 0 leaves the router off. */
  PAAS_ROUTER_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The router's HTTPS port (certificates from the api); 0 (the default) leaves HTTPS off. */
  PAAS_ROUTER_TLS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  PAAS_ROUTER_TIMEOUT: z.coerce.number().positive().default(30),
  /** Router lines in the apps' logs (from HAProxy's log); `off` for a host that does not want them. */
  PAAS_ROUTER_LOG_LINES: z.enum(['on', 'off']).default('on'),
  DOCKER_HOST: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AgentConfig = Readonly<
  Omit<z.infer<typeof schema>, 'PAAS_AGENT_DATA_DIR'> & { dataDir: string; hostname: string }
>;

export { ConfigError };

export function parseConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const { PAAS_AGENT_DATA_DIR, ...rest } = parseEnv(schema, env);
  return Object.freeze({
    ...rest,
    hostname: os.hostname(),
    dataDir: path.resolve(PAAS_AGENT_DATA_DIR ?? path.join('.paas', 'agents', rest.PAAS_AGENT_ID)),
  });
}

export const loadConfig = (): AgentConfig => parseConfig(process.env);
