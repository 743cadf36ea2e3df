/**
 * An attached one-off when something is SIGKILLed mid-session (docs/architecture.md, "One-off
 * processes: faults"): the one-off's container, the api, the agent. In each case the client
 * learns it (the exit status, or an error and 255), the process does not outlive its session
 * (stopped with SIGTERM, grace, SIGKILL), and it is never started again.
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
import { beforeAll, expect, it } from 'vitest';

const exec = promisify(execFile);
let app: string;
let repo: string;

const t = usePlatform();
beforeAll(async () => {
  app = appName('runf');
  repo = await makeRepo(t.home, { files: { Dockerfile: NODE_DOCKERFILE, 'server.js': HELLO_SERVER } });
  expect((await paas(['apps:create', app], { home: t.home, cwd: repo })).code).toBe(0);
  expect((await git(['push', 'paas', 'main'], { cwd: repo, home: t.home })).code).toBe(0);
});

const LOOP = ['sh', '-c', 'echo ready; while true; do sleep 0.1; done'];
const oneOffs = async () =>
  (await t.platform.api<DynoResponse[]>('GET', `/apps/${app}/dynos`)).body.filter((d) => d.type === 'run');
const containers = async (name: string) =>
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
/** An attached `paas run` of LOOP, once its process is up: the client, its name, its container. */
async function attached() {
  const client = paasStream(['run', '-a', app, '--', ...LOOP], { home: t.home, cwd: repo });
  await client.waitFor(/^ready/, 30_000);
  const dyno = await eventually(async () => (await oneOffs()).find((d) => d.state === 'up'), 20_000, 'it up in ps');
  expect(dyno?.name).toMatch(/^run\.\d+$/);
  return { client, name: dyno?.name ?? '', container: await containers(dyno?.name ?? '') };
}

it('the container killed: the client gets its exit status (137) and it is gone', async () => {
  const { client, name, container } = await attached();
  await exec('docker', ['kill', container]);
  expect(await client.exited()).toBe(137);
  await eventually(async () => !(await oneOffs()).some((d) => d.name === name), 20_000, `${name} gone from ps`);
  expect(await containers(name)).toBe('');
});

it('the api killed: the client is told, the agent stops the process, the restarted api records its end', async () => {
  const { client, name } = await attached();
  await t.platform.process.kill('SIGKILL');
  expect(await client.exited()).toBe(255);
  expect(client.stderr()).toContain('lost the connection to the process');
  // The agent saw its link break: SIGTERM, then gone, with the api still down.
  await eventually(async () => (await containers(name)) === '', 20_000, 'the container stopped by the agent');
  await t.platform.restart();
  await eventually(async () => !(await oneOffs()).some((d) => d.name === name), 30_000, `${name} recorded ended`);
  const logs = await eventually(
    async () => {
      const out = (await paas(['logs', '-a', app, '-p', name], { home: t.home })).stdout;
      return out.includes('State changed from up to complete') ? out : undefined;
    },
    30_000,
    'the stop in the log',
  );
  expect(logs).toContain('Stopping process with SIGTERM');
});

it('the agent killed: the client is told; the restarted agent stops the process and never restarts it', async () => {
  const { client, name, container } = await attached();
  await t.agent.stop('SIGKILL');
  expect(await client.exited()).toBe(255);
  expect(client.stderr()).toContain('lost the connection to the process');
  // Its container outlives the agent (nobody is there to stop it) …
  expect(await containers(name)).toBe(container);
  // … until the agent is back: it stops it (SIGTERM) and does not start it again.
  t.agent = await t.platform.startAgent('agent-1');
  await eventually(async () => (await containers(name)) === '', 30_000, 'the container stopped by the restarted agent');
  await eventually(async () => !(await oneOffs()).some((d) => d.name === name), 30_000, `${name} recorded ended`);
  await new Promise((r) => setTimeout(r, 3000)); // a few passes of the agent: nothing comes back
  expect(await containers(name)).toBe('');
});

it('a detached one-off lives through an api kill: it finishes, its output and end reach the restarted api', async () => {
  const r = await paas(['run:detached', '-a', app, '--', 'sh', '-c', 'sleep 3; echo finished-late'], { home: t.home });
  expect(r.code, r.stderr).toBe(0);
  const name = /-p (run\.\d+)/.exec(r.stdout)?.[1] ?? '';
  await eventually(async () => (await containers(name)) !== '', 20_000, 'its container');
  await t.platform.process.kill('SIGKILL');
  // With the api down it runs to its end, and the agent removes it.
  await eventually(async () => (await containers(name)) === '', 30_000, 'the container done and removed');
  await t.platform.restart();
  await eventually(async () => !(await oneOffs()).some((d) => d.name === name), 30_000, `${name} recorded ended`);
  const logs = await eventually(
    async () => {
      const out = (await paas(['logs', '-a', app, '-p', name], { home: t.home })).stdout;
      return out.includes('Process exited with status 0') ? out : undefined;
    },
    30_000,
    'its end in the log',
  );
  expect(logs).toContain(`app[${name}]: finished-late`);
  expect(logs).not.toContain('Stopping process');
});
