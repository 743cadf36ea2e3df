/** The api and agents as their own processes, on free loopback ports with their own data dirs. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { type Agent, startAgent } from './agent.js';
import { collectOutput, freePort, NODE_TS, ROOT, run, tempDir } from './env.js';
import { ensureSwarm, removeOverlays, removeServices, testRuntime } from './swarm.js';
import { recordPlatform, recordProcess } from './sweep.js';

export interface Platform {
  url: string;
  port: number;
  token: string;
  /** The agent channel's TLS port (PAAS_AGENT_PORT). */
  agentPort: number;
  dataDir: string;
  platformId: string;
  /** The one-off rendezvous service's TLS port (heroku run). */
  rendezvousPort: number;
  /** The platform CA's certificate (trust it to reach the rendezvous service). */
  caFile: string;
  /** Who runs its processes: `PAAS_RUNTIME` of its env or of the test run, else `agents`. */
  runtime: 'agents' | 'swarm';
  /**
   * Starts an agent of this platform (its own id and data dir), with extra env if given. Its
   * credential is issued the operator's way (`paas-admin agents:add ID`), once per id.
   */
  startAgent(id?: string, env?: Record<string, string>): Promise<Agent>;
  /** The ids of its agents started on the host's engine (with no DOCKER_HOST of their own), once each. */
  hostAgents(): string[];
  /** Issues (or, again, replaces) an agent's credential with `paas-admin agents:add`: `NAME:SECRET`. */
  addAgent(id: string): Promise<string>;
  /** Removes every container this platform's agents made (and, on swarm, its services, the api stopped first). */
  removeContainers(): Promise<void>;
  /**
   * Restarts the api on the same data dir and port (agents reconnect); SIGKILL to crash it.
   * `env` changes its environment from then on (an operator's change, e.g. PAAS_RUNTIME).
   */
  restart(signal?: NodeJS.Signals, env?: Record<string, string>): Promise<void>;
  process: ChildProcess;
  /** Everything the api printed (JSON log lines). */
  logs(): string;
  api<T = unknown>(
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface PlatformOptions {
  dataDir?: string;
  env?: Record<string, string>;
  migrate?: boolean;
  /** 'healthy' (default): wait for /healthz 200; 'listening': for any answer. */
  waitFor?: 'healthy' | 'listening';
  /** Agents to start with the api (default 0: nothing runs). */
  agents?: number;
}

/** Runs `paas-admin` (migrate, status, agents:add NAME…) against a data dir. */
export async function admin(dataDir: string, command: string | string[], env: Record<string, string> = {}) {
  const args = typeof command === 'string' ? [command] : command;
  return run(process.execPath, [...NODE_TS, path.join(ROOT, 'apps/api/src/admin.ts'), ...args], {
    env: { ...process.env, PAAS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
  });
}

export async function startPlatform(startOptions: PlatformOptions = {}): Promise<Platform> {
  let options = startOptions;
  const dataDir = options.dataDir ?? tempDir('paas-data-');
  let runtime = testRuntime(options.env);
  if (runtime === 'swarm') await ensureSwarm();
  if (options.migrate !== false) await admin(dataDir, 'migrate');
  const port = await freePort();
  const rendezvousPort = await freePort();
  const agentPort = await freePort();
  const token = `test-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let child: ChildProcess;
  let exited: Promise<unknown[]>;

  const launch = async () => {
    child = spawn(process.execPath, [...NODE_TS, path.join(ROOT, 'apps/api/src/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        PAAS_DATA_DIR: dataDir,
        PAAS_API_TOKEN: token,
        PAAS_AGENT_PORT: String(agentPort),
        PAAS_RENDEZVOUS_PORT: String(rendezvousPort),
        LOG_LEVEL: 'info',
        PAAS_RUNTIME: runtime,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    recordProcess('api', child.pid);
    collectOutput(child, (text) => {
      output += text;
    });
    exited = once(child, 'exit');
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}:\n${output}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.status === 200 || options.waitFor === 'listening') break;
      } catch {}
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`api did not become healthy within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await launch();

  // The api names its platform in its ready line (the test kit does not read the store).
  const platformId = await readyPlatformId(() => output);
  recordPlatform(platformId);
  const agents: Agent[] = [];
  /** An agent started again (same id) listens on the same router port, as a host's agent does. */
  const routerPorts = new Map<string, number>();
  /** Each agent's credential file, issued once per id (an agent started again reuses it). */
  const credentials = new Map<string, string>();
  const hostAgentIds = new Set<string>();

  const platform: Platform = {
    url,
    port,
    token,
    agentPort,
    dataDir,
    platformId,
    rendezvousPort,
    caFile: path.join(dataDir, 'tls', 'ca.crt'),
    get runtime() {
      return runtime;
    },
    get process() {
      return child;
    },
    logs: () => output,
    hostAgents: () => [...hostAgentIds],
    async addAgent(id: string) {
      const file = path.join(dataDir, 'agents', `${id}.credential`);
      await admin(dataDir, ['agents:add', id, '--file', file, '--replace']);
      credentials.set(id, file);
      return fs.readFileSync(file, 'utf8').trim();
    },
    async startAgent(id = `agent-${agents.length + 1}`, env: Record<string, string> = {}) {
      if (!credentials.has(id)) await platform.addAgent(id);
      const agent = await startAgent({
        url,
        agentPort,
        credentialFile: credentials.get(id) ?? '',
        caFile: path.join(dataDir, 'tls', 'ca.crt'),
        id,
        dataDir: path.join(dataDir, 'agents', id),
        env,
        routerPort: routerPorts.get(id),
      });
      routerPorts.set(id, agent.routerPort);
      agents.push(agent);
      if (!env.DOCKER_HOST) hostAgentIds.add(id);
      return agent;
    },
    async removeContainers() {
      for (const agent of agents) await agent.stop('SIGKILL');
      for (const agent of agents) await agent.stopRouter();
      // On swarm the api would make its services again: it stops first (callers stop it next anyway).
      if (runtime === 'swarm') await platform.stop();
      await removeServices(platformId);
      const ids = (await run('docker', ['ps', '-aq', '--filter', `label=paas.platform=${platformId}`])).stdout
        .split('\n')
        .filter(Boolean);
      // (A container Swarm is removing already answers 409: it is going anyway.)
      if (ids.length) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
      await removeOverlays(platformId);
      // Add-ons' volumes and apps' networks too (benches call this; tests also have the sweep).
      const label = `label=paas.platform=${platformId}`;
      for (const kind of ['volume', 'network'] as const) {
        const names = (await run('docker', [kind, 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean);
        if (names.length) await run('docker', [kind, 'rm', ...names]).catch(() => undefined);
      }
    },
    async restart(signal: NodeJS.Signals = 'SIGTERM', env?: Record<string, string>) {
      await platform.stop(signal);
      if (env) {
        options = { ...options, env: { ...options.env, ...env } };
        runtime = testRuntime(options.env);
        if (runtime === 'swarm') await ensureSwarm();
      }
      await launch();
    },
    async api<T>(method: string, apiPath: string, body?: unknown) {
      const res = await fetch(`${url}${apiPath}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/vnd.heroku+json; version=3',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
  for (let i = 0; i < (options.agents ?? 0); i++) await platform.startAgent();
  return platform;
}

/** The platform id from the api's `api ready` log line, once it is printed. */
async function readyPlatformId(output: () => string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const id = /"platform":"([^"]+)"[^\n]*"msg":"api ready"/.exec(output())?.[1];
    if (id) return id;
    if (Date.now() > deadline) throw new Error(`the api never said it was ready:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
