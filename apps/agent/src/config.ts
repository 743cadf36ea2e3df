/** The agent's configuration: read from the environment once, validated, frozen. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AGENT_ID_RE, AGENT_ID_RULE, ConfigError, parseEnv } from '@paas/shared';
import { z } from 'zod';

const schema = z.object({
  /** The api: its host is where the agent channel is (wss://HOST:PAAS_AGENT_PORT). */
  PAAS_API_URL: z.url().default('http://127.0.0.1:5000'),
  PAAS_AGENT_PORT: z.coerce.number().int().min(1).max(65535).default(5002),
  /** This agent's credential, `NAME:SECRET` (`paas-admin agents:add NAME`), or a file holding it. */
  PAAS_AGENT_CREDENTIAL: z.string().optional(),
  PAAS_AGENT_CREDENTIAL_FILE: z.string().optional(),
  /** The platform CA's certificate (the api's `$PAAS_DATA_DIR/tls/ca.crt`): the only CA trusted. */
  PAAS_AGENT_CA_FILE: z.string().optional(),
  PAAS_DATA_DIR: z.string().optional(),
  /** The shared token of old: refused with a message saying what replaced it. */
  PAAS_AGENT_TOKEN: z.string().optional(),
  PAAS_AGENT_ID: z.string().regex(AGENT_ID_RE, AGENT_ID_RULE).optional(),
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

type Parsed = z.infer<typeof schema>;

export type AgentConfig = Readonly<
  Omit<
    Parsed,
    | 'PAAS_AGENT_DATA_DIR'
    | 'PAAS_AGENT_ID'
    | 'PAAS_AGENT_CREDENTIAL'
    | 'PAAS_AGENT_CREDENTIAL_FILE'
    | 'PAAS_AGENT_TOKEN'
    | 'PAAS_DATA_DIR'
    | 'PAAS_AGENT_CA_FILE'
  > & {
    PAAS_AGENT_ID: string;
    dataDir: string;
    hostname: string;
    /** wss://HOST:PAAS_AGENT_PORT, no trailing slash. */
    channelUrl: string;
    /** The CA certificate file the api's channel certificate must chain to. */
    caFile: string;
    /** The secret of the credential (the id is PAAS_AGENT_ID). */
    secret: string;
  }
>;

export { ConfigError };

/** The credential's text, or a problem naming the variable (never its value). */
function readCredential(env: Parsed): { text?: string; problem?: string } {
  if (env.PAAS_AGENT_CREDENTIAL) return { text: env.PAAS_AGENT_CREDENTIAL.trim() };
  if (!env.PAAS_AGENT_CREDENTIAL_FILE) {
    return {
      problem:
        'PAAS_AGENT_CREDENTIAL: required (or PAAS_AGENT_CREDENTIAL_FILE): run `paas-admin agents:add NAME` on the api host',
    };
  }
  try {
    return { text: fs.readFileSync(env.PAAS_AGENT_CREDENTIAL_FILE, 'utf8').trim() };
  } catch (err) {
    return { problem: `PAAS_AGENT_CREDENTIAL_FILE: cannot be read (${(err as NodeJS.ErrnoException).code})` };
  }
}

export function parseConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const parsed = parseEnv(schema, env);
  const {
    PAAS_AGENT_DATA_DIR,
    PAAS_AGENT_CREDENTIAL,
    PAAS_AGENT_CREDENTIAL_FILE,
    PAAS_AGENT_TOKEN,
    PAAS_DATA_DIR,
    PAAS_AGENT_CA_FILE,
    PAAS_AGENT_ID,
    ...rest
  } = parsed;
  const problems: string[] = [];
  if (PAAS_AGENT_TOKEN !== undefined) {
    problems.push(
      'PAAS_AGENT_TOKEN: no longer used: each agent has its own credential (`paas-admin agents:add NAME`), given as PAAS_AGENT_CREDENTIAL',
    );
  }
  const { text, problem } = readCredential(parsed);
  if (problem) problems.push(problem);
  const colon = text?.indexOf(':') ?? -1;
  const name = text?.slice(0, colon) ?? '';
  const secret = text?.slice(colon + 1) ?? '';
  const variable = PAAS_AGENT_CREDENTIAL ? 'PAAS_AGENT_CREDENTIAL' : 'PAAS_AGENT_CREDENTIAL_FILE';
  if (text !== undefined && (colon <= 0 || !AGENT_ID_RE.test(name) || secret.length < 16)) {
    problems.push(`${variable}: must be a credential NAME:SECRET as \`paas-admin agents:add NAME\` prints it`);
  } else if (text !== undefined && PAAS_AGENT_ID !== undefined && PAAS_AGENT_ID !== name) {
    problems.push(`PAAS_AGENT_ID: is not the agent the credential in ${variable} was issued to (${name})`);
  }
  if (problems.length) throw new ConfigError(problems);
  const url = new URL(rest.PAAS_API_URL);
  return Object.freeze({
    ...rest,
    PAAS_AGENT_ID: name,
    secret,
    hostname: os.hostname(),
    channelUrl: `wss://${url.hostname}:${rest.PAAS_AGENT_PORT}`, // an IPv6 hostname has its brackets
    caFile: path.resolve(PAAS_AGENT_CA_FILE ?? path.join(PAAS_DATA_DIR ?? '.paas', 'tls', 'ca.crt')),
    dataDir: path.resolve(PAAS_AGENT_DATA_DIR ?? path.join('.paas', 'agents', name)),
  });
}

export const loadConfig = (): AgentConfig => parseConfig(process.env);
