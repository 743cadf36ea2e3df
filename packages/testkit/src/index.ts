/**
 * Test helpers that use the real things: the api as its own process (as `pnpm start` runs
 * it) on a free loopback port with its own data dir, the real `paas` CLI as a child process,
 * and real git repositories pushed over HTTP.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { recordDir, recordPlatform, recordProcess } from './sweep.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// tsx's loader, by path: `--import tsx` would resolve from each child's cwd.
const TSX = path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs');
const NODE_TS = ['--conditions=development', '--import', TSX];
const CLI = path.join(ROOT, 'apps/cli/bin/paas');

export const run = promisify(execFile);

/** Hands everything a child prints (stdout and stderr) to `append`, as it comes. */
function collectOutput(child: ChildProcess, append: (text: string) => void): void {
  child.stdout?.on('data', (chunk: Buffer) => append(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => append(chunk.toString()));
}

/** A new directory under the OS temp dir; the run's sweep removes it (see sweep.ts). */
export function tempDir(prefix = 'paas-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  recordDir(dir);
  return dir;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A unique app name for a test (tests share one Docker engine). */
export function appName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`.slice(0, 30);
}

export interface Agent {
  id: string;
  /** Port of this agent's HTTP router on 127.0.0.1. */
  routerPort: number;
  process: ChildProcess;
  logs(): string;
  /** Stops the agent (SIGTERM by default; SIGKILL to simulate a crash). Containers stay. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Platform {
  url: string;
  port: number;
  token: string;
  agentToken: string;
  dataDir: string;
  platformId: string;
  /** Starts an agent of this platform (its own id and data dir), with extra env if given. */
  startAgent(id?: string, env?: Record<string, string>): Promise<Agent>;
  /** Removes every container this platform's agents made. */
  removeContainers(): Promise<void>;
  /** Restarts the api on the same data dir and port (agents reconnect); SIGKILL to crash it. */
  restart(signal?: NodeJS.Signals): Promise<void>;
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

/** Runs `paas-admin` (migrate/status) against a data dir. */
export async function admin(dataDir: string, command: string, env: Record<string, string> = {}) {
  return run(process.execPath, [...NODE_TS, path.join(ROOT, 'apps/api/src/admin.ts'), command], {
    env: { ...process.env, PAAS_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
  });
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const dataDir = options.dataDir ?? tempDir('paas-data-');
  if (options.migrate !== false) await admin(dataDir, 'migrate');
  const port = await freePort();
  const token = `test-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const agentToken = `agent-${Math.random().toString(36).slice(2)}-${Date.now()}`;
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
        PAAS_AGENT_TOKEN: agentToken,
        LOG_LEVEL: 'info',
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

  const db = new Database(path.join(dataDir, 'paas.db'), { readonly: true });
  const platformId = (db.prepare(`SELECT value FROM settings WHERE key = 'platform_id'`).get() as { value: string })
    .value;
  db.close();
  recordPlatform(platformId);
  const agents: Agent[] = [];

  const platform: Platform = {
    url,
    port,
    token,
    agentToken,
    dataDir,
    platformId,
    get process() {
      return child;
    },
    logs: () => output,
    async startAgent(id = `agent-${agents.length + 1}`, env: Record<string, string> = {}) {
      const agent = await startAgent({ url, agentToken, id, dataDir: path.join(dataDir, 'agents', id), env });
      agents.push(agent);
      return agent;
    },
    async removeContainers() {
      for (const agent of agents) await agent.stop('SIGKILL');
      const ids = (await run('docker', ['ps', '-aq', '--filter', `label=paas.platform=${platformId}`])).stdout
        .split('\n')
        .filter(Boolean);
      if (ids.length) await run('docker', ['rm', '-f', ...ids]);
    },
    async restart(signal: NodeJS.Signals = 'SIGTERM') {
      await platform.stop(signal);
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

export async function startAgent(options: {
  url: string;
  agentToken: string;
  id: string;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<Agent> {
  let output = '';
  const routerPort = await freePort();
  const child = spawn(process.execPath, [...NODE_TS, path.join(ROOT, 'apps/agent/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PAAS_API_URL: options.url,
      PAAS_AGENT_TOKEN: options.agentToken,
      PAAS_AGENT_ID: options.id,
      PAAS_AGENT_DATA_DIR: options.dataDir,
      PAAS_ROUTER_PORT: String(routerPort),
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  recordProcess('agent', child.pid);
  collectOutput(child, (text) => {
    output += text;
  });
  const exited = once(child, 'exit');
  return {
    id: options.id,
    routerPort,
    process: child,
    logs: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  home: string;
  platform?: Pick<Platform, 'url' | 'token'>;
  env?: Record<string, string>;
  input?: string;
}

/** Starts the real `paas` CLI. With `platform`, PAAS_API_URL/PAAS_API_TOKEN point at it. */
function spawnCli(args: string[], options: CliOptions) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? options.home,
    env: {
      ...cleanEnv(),
      HOME: options.home,
      ...(options.platform ? { PAAS_API_URL: options.platform.url, PAAS_API_TOKEN: options.platform.token } : {}),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  recordProcess(`paas ${args[0] ?? ''}`.trim(), child.pid);
  return child;
}

/** Runs the real `paas` CLI to its end. */
export function paas(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A long-running `paas` command (e.g. `logs --tail`): its output so far, and a way to stop it. */
export interface CliStream {
  /** Complete stdout lines so far, each with when it arrived (Date.now()). */
  lines(): { at: number; line: string }[];
  stderr(): string;
  /** Waits for a stdout line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export function paasStream(args: string[], options: CliOptions): CliStream {
  const child = spawnCli(args, options);
  child.stdin.end();
  const lines: { at: number; line: string }[] = [];
  let partial = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    const at = Date.now();
    for (const line of parts) lines.push({ at, line });
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = once(child, 'close');
  return {
    lines: () => lines,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 30_000) =>
      eventually(
        async () => lines.find((l) => pattern.test(l.line))?.line,
        timeoutMs,
        `a line matching ${pattern} (stderr: ${stderr.slice(-300)})`,
      ),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The environment without anything that would point git or the CLI somewhere else. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(PAAS_|GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE|CONFIG))/.test(key)) delete env[key];
  }
  return env;
}

export interface GitResult extends CliResult {
  /** Milliseconds from the start of the command to each stderr line's arrival. */
  lineTimes: { ms: number; line: string }[];
}

/** Runs git in `cwd` with HOME=`home` (so ~/.netrc from `paas login` applies), no prompts. */
export function git(
  args: string[],
  options: { cwd: string; home: string; env?: Record<string, string> },
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: {
        ...cleanEnv(),
        HOME: options.home,
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    recordProcess(`git ${args[0] ?? ''}`.trim(), child.pid);
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lineTimes: { ms: number; line: string }[] = [];
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      const text = c.toString();
      stderr += text;
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) lineTimes.push({ ms: Date.now() - started, line: line.trimEnd() });
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, lineTimes }));
  });
}

/** A fresh git repository holding a copy of `examples/<name>` (or the given files), committed. */
export async function makeRepo(
  home: string,
  source: { example?: string; files?: Record<string, string> },
): Promise<string> {
  const dir = fs.mkdtempSync(path.join(home, 'repo-'));
  if (source.example) fs.cpSync(path.join(ROOT, 'examples', source.example), dir, { recursive: true });
  for (const [file, text] of Object.entries(source.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  await git(['init', '-q', '-b', 'main'], { cwd: dir, home });
  await commitAll(dir, home, 'initial commit');
  return dir;
}

export async function commitAll(dir: string, home: string, message: string): Promise<void> {
  const add = await git(['add', '-A'], { cwd: dir, home });
  if (add.code !== 0) throw new Error(add.stderr);
  const commit = await git(['commit', '-q', '--allow-empty', '-m', message], { cwd: dir, home });
  if (commit.code !== 0) throw new Error(commit.stderr);
}

/** A home directory for one test: the CLI logged in to `platform` (token in ~/.netrc). */
export async function loggedInHome(platform: Platform): Promise<string> {
  const home = tempDir('paas-home-');
  const login = await paas(['login', '--api-url', platform.url, '--token', platform.token], { home });
  if (login.code !== 0) throw new Error(`paas login failed: ${login.stderr}`);
  return home;
}

/** A GET to a router on 127.0.0.1 with a given Host header (fetch cannot set Host). */
export function routerGet(
  port: number,
  host: string,
  options: { path?: string; headers?: Record<string, string>; agent?: http.Agent | false } = {},
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        headers: { host, ...options.headers },
        agent: options.agent,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The Dockerfile of the tests' small Node apps: their `server.js` on paas/node:20. */
export const NODE_DOCKERFILE = 'FROM paas/node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n';

/**
 * Creates an app (named `<prefix>-…`) from `files` (plus NODE_DOCKERFILE unless they bring a
 * Dockerfile), pushes it, and waits until the given agent's router answers for it with 200.
 */
export async function deployRouted(
  home: string,
  agent: Pick<Agent, 'routerPort'>,
  prefix: string,
  files: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ app: string; host: string; repo: string; cli: (...args: string[]) => Promise<CliResult> }> {
  const app = appName(prefix);
  const host = `${app}.localhost`;
  const repo = await makeRepo(home, { files: { Dockerfile: NODE_DOCKERFILE, ...files } });
  const created = await paas(['apps:create', app], { home, cwd: repo });
  if (created.code !== 0) throw new Error(`apps:create failed: ${created.stderr}`);
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
  if (push.code !== 0) throw new Error(`git push failed: ${push.stderr}`);
  await eventually(async () => (await routerGet(agent.routerPort, host)).status === 200, timeoutMs, `${app} routed`);
  return { app, host, repo, cli: (...args: string[]) => paas([...args, '-a', app], { home, cwd: repo }) };
}
