/**
 * One-off processes as a user runs them (issue 12): `paas run` attached (stdout, stdin, exit
 * status, -e, Procfile types), `paas run:detached` (output in the log as run.N), `ps` and
 * `ps:stop run.N`, a client that dies, and each bad input, against a real api, agent and
 * Docker.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DynoResponse } from '@paas/shared';
import {
  appName,
  eventually,
  git,
  HELLO_SERVER,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  paasStream,
  usePlatform,
} from '@paas/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const exec = promisify(execFile);
let app: string;
let repo: string;

const WORKER = `node -e "console.log('worker says ' + process.env.GREETING)"`;

const t = usePlatform();
beforeAll(async () => {
  app = appName('run');
  repo = await makeRepo(t.home, {
    files: {
      Dockerfile: NODE_DOCKERFILE,
      'server.js': HELLO_SERVER,
      Procfile: `web: node server.js\nworker: ${WORKER}\n`,
    },
  });
  expect((await cli(['apps:create', app])).code).toBe(0);
  expect((await cli(['config:set', 'GREETING=hello-from-config'])).code).toBe(0);
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
  expect(push.code, push.stderr).toBe(0);
});

/** `paas COMMAND -a APP ARGS…` (the app flag before any `--`). */
function cli([command = '', ...rest]: string[], input?: string) {
  return paas([command, ...(command === 'apps:create' ? [] : ['-a', app]), ...rest], {
    home: t.home,
    cwd: repo,
    input,
  });
}
/** `paas run …` with the app flag before `--`. */
const run = (args: string[], input?: string) => paas(['run', '-a', app, ...args], { home: t.home, cwd: repo, input });

const oneOffs = async () =>
  (await t.platform.api<DynoResponse[]>('GET', `/apps/${app}/dynos`)).body.filter((d) => d.type === 'run');
const containersOf = async (name: string) =>
  (
    await exec('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=paas.platform=${t.platform.platformId}`,
      '--filter',
      `label=paas.process=${name}`,
    ])
  ).stdout.trim();

describe('paas run', () => {
  it('prints a config value and exits with the process status', async () => {
    const r = await run(['--', 'sh', '-c', 'echo $GREETING; exit 3']);
    expect(r.stdout).toBe('hello-from-config\n');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/Running `sh -c 'echo \$GREETING; exit 3'` on .*\.\.\. up, run\.\d+/);
  });

  it('forwards stdin to the process and closes it at its end', async () => {
    const r = await run(['--', 'cat'], 'data\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('data\n');
  });

  it('gives -e variables to the process, over the config', async () => {
    const r = await run([
      '-e',
      'FOO=bar baz',
      '-e',
      'GREETING=overridden',
      '--',
      'sh',
      '-c',
      'echo "$FOO/$GREETING/$DYNO"',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bar baz\/overridden\/run\.\d+\n$/);
  });

  it('streams a large output whole, in order (about 20 MB through agent, api and CLI)', async () => {
    const r = await run(['--', 'sh', '-c', 'seq 1 2600000']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.length).toBe(2_600_001);
    expect(lines[0]).toBe('1');
    expect(lines[2_599_999]).toBe('2600000');
    expect(Buffer.byteLength(r.stdout)).toBe(19_688_896);
  });

  it("runs a Procfile type's command when given its name", async () => {
    const r = await run(['worker']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('worker says hello-from-config\n');
  });

  it('leaves nothing behind, and says start and exit in the app log', async () => {
    await eventually(async () => (await oneOffs()).length === 0, 20_000, 'one-offs gone from ps');
    const logs = await eventually(
      async () => {
        const r = await cli(['logs', '-n', '200']);
        return /paas\[run\.\d+\]: Process exited with status 3/.test(r.stdout) ? r.stdout : undefined;
      },
      20_000,
      'the exit in the log',
    );
    expect(logs).toMatch(/paas\[api\]: Starting process with command `sh -c 'echo \$GREETING; exit 3'` by user /);
    expect(logs).toMatch(/paas\[run\.\d+\]: State changed from up to complete/);
  });
});

describe('paas run:detached', () => {
  it('runs in the background: ps shows it, its output is in the log as run.N, then it is gone', async () => {
    const r = await cli(['run:detached', '--', 'sh', '-c', 'echo detached-out; sleep 4; echo detached-end']);
    expect(r.code, r.stderr).toBe(0);
    const name = /-p (run\.\d+)/.exec(r.stdout)?.[1] ?? '';
    expect(name).toMatch(/^run\.\d+$/);
    expect(r.stderr).toContain(`done, ${name}`);
    const ps = await eventually(
      async () => {
        const out = (await cli(['ps'])).stdout;
        return new RegExp(`${name.replace('.', '\\.')} +up`).test(out) ? out : undefined;
      },
      20_000,
      `${name} up in ps`,
    );
    expect(ps).toContain('run: one-off processes (1)');
    await eventually(
      async () => (await cli(['logs', '-p', name])).stdout.includes(`app[${name}]: detached-out`),
      20_000,
      'output in the log',
    );
    await eventually(
      async () => (await cli(['logs', '-p', name])).stdout.includes(`app[${name}]: detached-end`),
      20_000,
      'the end in the log',
    );
    await eventually(async () => !(await oneOffs()).some((d) => d.name === name), 20_000, `${name} gone`);
    expect(await containersOf(name)).toBe('');
  });

  it('ps:stop run.N stops it gracefully, and it is not started again', async () => {
    const r = await cli(['run:detached', '--', 'sleep', '300']);
    const name = /-p (run\.\d+)/.exec(r.stdout)?.[1] ?? '';
    await eventually(async () => (await oneOffs()).some((d) => d.name === name && d.state === 'up'), 20_000, 'up');
    const stop = await cli(['ps:stop', name]);
    expect(stop.code, stop.stderr).toBe(0);
    await eventually(async () => !(await oneOffs()).some((d) => d.name === name), 20_000, `${name} gone`);
    expect(await containersOf(name)).toBe('');
    const logs = (await cli(['logs', '-p', name])).stdout;
    expect(logs).toContain('Stopping process with SIGTERM');
    expect(logs).toMatch(/Process exited with status 143/);
  });
});

describe('the run timeout', () => {
  it('stops a one-off that runs past it (time_to_live, else PAAS_RUN_TIMEOUT), with R22 in the log', async () => {
    const res = await t.platform.api<DynoResponse>('POST', `/apps/${app}/dynos`, {
      command: 'sleep 300',
      attach: false,
      time_to_live: 2,
    });
    expect(res.status).toBe(201);
    const name = res.body.name;
    await eventually(async () => (await oneOffs()).some((d) => d.name === name && d.state === 'up'), 20_000, 'up');
    await eventually(async () => !(await oneOffs()).some((d) => d.name === name), 20_000, `${name} stopped`);
    const logs = (await cli(['logs', '-p', name])).stdout;
    expect(logs).toContain('Error R22 (Run timeout) -> One-off process ran longer than 2 seconds');
    expect(logs).toContain('Stopping process with SIGTERM');
    expect(await containersOf(name)).toBe('');
  });
});

describe('an attached client that goes away', () => {
  it('stops the process (SIGTERM) within its grace period', async () => {
    const command = ['sh', '-c', 'echo ready; while true; do sleep 0.1; done'];
    const client = paasStream(['run', '-a', app, '--', ...command], { home: t.home, cwd: repo });
    await client.waitFor(/^ready/, 30_000);
    const up = await eventually(async () => (await oneOffs()).find((d) => d.state === 'up'), 20_000, 'it up in ps');
    const name = up.name;
    expect(name).toMatch(/^run\.\d+$/);
    const killed = Date.now();
    await client.stop('SIGKILL');
    await eventually(async () => (await containersOf(name)) === '', 30_000, 'the container gone');
    expect(Date.now() - killed).toBeLessThan(10_000);
    const logs = await eventually(
      async () => {
        const out = (await cli(['logs', '-p', name])).stdout;
        return out.includes('State changed from up to complete') ? out : undefined;
      },
      20_000,
      'the end in the log',
    );
    // SIGTERM reached it (the /bin/sh -c around a compound command dies of it: 143), no SIGKILL.
    expect(logs).toContain('Stopping process with SIGTERM');
    expect(logs).toContain('Process exited with status 143');
    expect(logs).not.toContain('Error R12');
  });
});

describe('bad input starts nothing', () => {
  it('refuses an unknown app, an app with no release, an unknown type, a long command, a bad -e key and a bad token', async () => {
    const before = await oneOffs();
    const unknown = await paas(['run', '-a', 'no-such-app-x', '--', 'true'], { home: t.home, cwd: repo });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Couldn't find that app.");

    const empty = appName('norel');
    expect((await paas(['apps:create', empty], { home: t.home })).code).toBe(0);
    const none = await paas(['run', '-a', empty, '--', 'true'], { home: t.home });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${empty} has no release to run yet: deploy it first`);

    const type = await run(['--type', 'nope', '--', 'true']);
    expect(type.code).toBe(1);
    expect(type.stderr).toContain('Unknown process type: nope. This app has: web, worker.');

    const long = await run(['--', `echo ${'x'.repeat(8200)}`]);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('command: is longer than 8192 bytes');

    const key = await run(['-e', '1BAD=x', '--', 'true']);
    expect(key.code).toBe(1);
    expect(key.stderr).toContain('env.1BAD: 1BAD: must start with a letter or underscore');

    // paas run's door (GET /apps/:app/run) takes the API token, as POST /apps/:app/dynos does.
    const wrongToken = await paas(['run', '-a', app, '--', 'true'], {
      home: t.home,
      cwd: repo,
      env: { PAAS_API_TOKEN: 'not-the-token' },
    });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('failed\nError: Invalid credentials provided.');
    const noToken = await new Promise<number | undefined>((resolve) => {
      const ws = new WebSocket(`${t.platform.url.replace(/^http/, 'ws')}/apps/${app}/run`);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode);
        ws.terminate();
      });
      ws.on('error', () => {});
      ws.on('open', () => resolve(undefined));
    });
    expect(noToken).toBe(401);

    const noValue = await run(['-e', 'NOEQUALS', '--', 'true']);
    expect(noValue.code).toBe(1);
    expect(noValue.stderr).toContain('-e NOEQUALS: expected KEY=VALUE');

    expect(await oneOffs()).toEqual(before);
    const logs = (await cli(['logs', '-n', '500'])).stdout;
    expect(logs).not.toMatch(/Starting process with command `(true|echo x+)`/);
  });
});

describe('the attach secret', () => {
  /** A raw rendezvous client: the first text frame it gets, and how its socket closed. */
  const attachWith = (secret: string) =>
    new Promise<{ first: string | undefined; code: number; ws: WebSocket }>((resolve) => {
      const ws = new WebSocket(`${t.platform.url.replace(/^http/, 'ws')}/rendezvous`, {
        headers: { 'x-paas-rendezvous': secret },
      });
      let first: string | undefined;
      ws.on('message', (data, binary) => {
        if (!binary) first ??= String(data);
      });
      ws.on('close', (code) => resolve({ first, code, ws }));
      ws.on('open', () => setTimeout(() => resolve({ first, code: 0, ws }), 1500));
    });

  it('is taken once: a second client with it, or a guessed one, is refused', async () => {
    const dyno = await t.platform.api<DynoResponse>('POST', `/apps/${app}/dynos`, {
      command: 'sleep 30',
      attach: true,
      force_no_tty: true,
    });
    const secret = dyno.body.attach_url?.split('/').pop() ?? '';
    const first = await attachWith(secret);
    expect(first.code).toBe(0); // still open: attached
    const second = await attachWith(secret);
    expect(second.code).toBe(1008);
    expect(second.first).toContain('This attach URL is unknown, used or expired.');
    const guessed = await attachWith('guessed');
    expect(guessed.code).toBe(1008);
    first.ws.close();
    // The client left: the process is stopped and gone.
    await eventually(async () => !(await oneOffs()).some((d) => d.name === dyno.body.name), 30_000, 'stopped');
  });
});
