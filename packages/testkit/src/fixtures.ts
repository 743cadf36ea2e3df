/** Fixtures: a logged-in home, small apps, a routed deploy, requests through a router. */
import http from 'node:http';
import type { Agent } from './agent.js';
import { type CliResult, paas } from './cli.js';
import { appName, run, tempDir } from './env.js';
import { git, makeRepo } from './git.js';
import type { Platform } from './platform.js';
import { eventually } from './wait.js';

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

/**
 * The tests' and benches' hello server (`server.js`): answers every request with its process
 * name ($DYNO) on $PORT, and exits at once on SIGTERM.
 */
export const HELLO_SERVER =
  "require('node:http').createServer((_q, s) => s.end(process.env.DYNO || 'x')).listen(process.env.PORT);\nprocess.on('SIGTERM', () => process.exit(0));\n";

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
  /** The api's PAAS_DOMAIN. */
  domain = 'localhost',
): Promise<{ app: string; host: string; repo: string; cli: (...args: string[]) => Promise<CliResult> }> {
  const app = appName(prefix);
  const host = `${app}.${domain}`;
  const repo = await makeRepo(home, { files: { Dockerfile: NODE_DOCKERFILE, ...files } });
  const created = await paas(['apps:create', app], { home, cwd: repo });
  if (created.code !== 0) throw new Error(`apps:create failed: ${created.stderr}`);
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
  if (push.code !== 0) throw new Error(`git push failed: ${push.stderr}`);
  await eventually(async () => (await routerGet(agent.routerPort, host)).status === 200, timeoutMs, `${app} routed`);
  return { app, host, repo, cli: (...args: string[]) => paas([...args, '-a', app], { home, cwd: repo }) };
}

/** A running process container on the host's engine, under either runtime. */
export interface ProcessContainer {
  id: string;
  app: string;
  /** The process: `web.1`. */
  name: string;
  /** The agent that looks after it ('' if none is known). */
  agent: string;
}

/**
 * The running containers of a platform's processes on the host's engine (of one app, if given),
 * newest first, under either runtime. The agents label theirs with the process (`paas.process`)
 * and the agent; a Swarm task container (`paas.runtime=swarm`; Swarm cannot template container
 * labels) is `<type>.<slot>` by Swarm's task name, looked after by the platform's agents on this
 * engine (it has one, or they are listed joined by a comma).
 */
export async function processContainers(platform: Platform, app?: string): Promise<ProcessContainer[]> {
  const fields = ['paas.app', 'paas.process', 'paas.agent', 'paas.type', 'paas.runtime', 'com.docker.swarm.task.name'];
  const { stdout } = await run('docker', [
    'ps',
    '--no-trunc',
    '--filter',
    `label=paas.platform=${platform.platformId}`,
    ...(app ? ['--filter', `label=paas.app=${app}`] : []),
    '--format',
    ['{{.ID}}', ...fields.map((f) => `{{.Label "${f}"}}`)].join('\t'),
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const [id = '', appName = '', process = '', agent = '', type = '', runtime = '', task = ''] = line.split('\t');
      if (runtime !== 'swarm') return process ? [{ id, app: appName, name: process, agent }] : [];
      const slot = task.split('.').at(-2) ?? '';
      if (!type || !/^[1-9][0-9]*$/.test(slot)) return [];
      return [{ id, app: appName, name: `${type}.${slot}`, agent: platform.hostAgents().join(',') }];
    });
}

/** The id of the running container of one of an app's processes (`web.1`), if there is one, under either runtime. */
export async function processContainer(platform: Platform, app: string, process: string): Promise<string | undefined> {
  return (await processContainers(platform, app)).find((c) => c.name === process)?.id;
}

/** `docker inspect -f FORMAT ID`, trimmed. */
export async function inspectContainer(id: string, format: string): Promise<string> {
  return (await run('docker', ['inspect', '-f', format, id])).stdout.trim();
}
