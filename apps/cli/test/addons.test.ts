/**
 * Add-ons end to end (issue 13, acceptance 1, 2, 3, 5): the example app (examples/notes: web,
 * worker, scheduler, migrations as its release command) on a real PostgreSQL and Redis made
 * by `paas addons:create`, a real agent, the real CLI. Rows written through the web process
 * survive a deploy, a rollback, a restart, the service container's death, and SIGKILL of the
 * agent and of the api; another app cannot reach the database; bad input changes nothing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { promisify } from 'node:util';
import type { AddonResponse } from '@paas/shared';
import {
  appName,
  commitAll,
  eventually,
  git,
  HELLO_SERVER,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  usePlatform,
} from '@paas/testkit';
import { expect, it } from 'vitest';

const run = promisify(execFile);

let app: string;
let repo: string;
let other: string;
const cli = (...args: string[]) => paas([...args, '-a', app], { home: t.home, cwd: repo });

const t = usePlatform();

/** A request through the agent's router to the app. */
function request(method: string, path: string, body = ''): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: t.agent.routerPort, method, path, headers: { host: `${app}.localhost` } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const count = async () => {
  const res = await request('GET', '/notes/count');
  return res.status === 200 ? Number(res.json.count) : -1;
};

async function containerOf(labels: Record<string, string>): Promise<string[]> {
  const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
  const { stdout } = await run('docker', ['ps', '-q', '--no-trunc', ...filters]);
  return stdout.split('\n').filter(Boolean);
}

async function addonsOf(): Promise<AddonResponse[]> {
  return (await t.platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`)).body;
}

it('provisions PostgreSQL, attaches DATABASE_URL in a release, and the web process keeps rows', async () => {
  app = appName('notes');
  repo = await makeRepo(t.home, { example: 'notes' });
  expect((await paas(['apps:create', app], { home: t.home, cwd: repo })).code).toBe(0);
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
  expect(push.code, push.stderr).toBe(0);
  await eventually(async () => (await request('GET', '/healthz')).status === 200, 60_000, 'web up');
  expect((await request('GET', '/notes/count')).status).toBe(503); // no database yet

  const created = await cli('addons:create', 'heroku-postgresql');
  expect(created.code, created.stderr).toBe(0);
  expect(created.stdout).toMatch(/Created postgresql-[a-z]+-\d+ as DATABASE_URL/);
  const config = await cli('config');
  expect(config.stdout).toMatch(/DATABASE_URL:\s+postgres:\/\/u[0-9a-f]+:[0-9a-f]+@postgresql-/);
  const releases = await cli('releases');
  expect(releases.stdout).toContain('Attach DATABASE resource');
  const [addon] = await addonsOf();
  expect(addon?.state).toBe('provisioned');
  expect(addon?.plan.name).toBe('heroku-postgresql:essential-0');

  // The release command (migrations) ran on the app's network; the web process writes rows.
  await eventually(async () => (await request('POST', '/notes', 'first')).status === 201, 60_000, 'a note written');
  for (let i = 0; i < 4; i++) expect((await request('POST', '/notes', `n${i}`)).status).toBe(201);
  expect(await count()).toBe(5);
  const list = await cli('addons');
  expect(list.stdout).toMatch(/postgresql-\S+\s+heroku-postgresql:essential-0\s+provisioned\s+DATABASE/);
  const ps = await cli('ps');
  expect(ps.stdout).not.toMatch(/postgres/);
});

it('refuses bad input with a clear error and changes nothing', async () => {
  const before = (await cli('releases')).stdout;
  const unknown = await cli('addons:create', 'heroku-mysql');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain(`Couldn't find either the add-on service or the add-on plan of "heroku-mysql"`);
  const badPlan = await cli('addons:create', 'heroku-postgresql:gigantic-9');
  expect(badPlan.code).toBe(1);
  expect(badPlan.stderr).toContain('Couldn\'t find the plan "gigantic-9" of heroku-postgresql');
  const duplicate = await cli('addons:create', 'postgres', '--as', 'DATABASE');
  expect(duplicate.code).toBe(1);
  expect(duplicate.stderr).toContain('DATABASE_URL is already set on');
  const [addon] = await addonsOf();
  const noConfirm = await cli('addons:destroy', addon?.name ?? '');
  expect(noConfirm.code).toBe(1);
  expect(noConfirm.stderr).toContain('--confirm');
  const wrongConfirm = await cli('addons:destroy', addon?.name ?? '', '--confirm', 'other-app');
  expect(wrongConfirm.code).toBe(1);
  const overwrite = await cli('config:set', 'DATABASE_URL=postgres://elsewhere/db');
  expect(overwrite.code).toBe(1);
  expect(overwrite.stderr).toContain('Cannot overwrite attachment values DATABASE_URL');
  const unset = await cli('config:unset', 'DATABASE_URL');
  expect(unset.code).toBe(1);
  expect((await cli('releases')).stdout).toBe(before);
  expect((await addonsOf()).map((a) => a.name)).toEqual([addon?.name]);
  expect(await count()).toBe(5);
});

it('attaches Redis as REDIS_URL and the worker uses it', async () => {
  const created = await cli('addons:create', 'heroku-redis');
  expect(created.code, created.stderr).toBe(0);
  expect(created.stdout).toMatch(/Created redis-[a-z]+-\d+ as REDIS_URL/);
  expect((await cli('config:set', 'SCHEDULE_SECONDS=1')).code).toBe(0);
  expect((await cli('ps:scale', 'worker=1', 'scheduler=1')).code).toBe(0);
  await eventually(
    async () => Number((await request('GET', '/stats')).json.redis_jobs ?? 0) >= 2,
    60_000,
    'the worker counted jobs in Redis',
  );
});

it('keeps the rows through a deploy, a rollback, a restart, a killed service, and SIGKILL of the agent and the api', async () => {
  const [pg] = (await addonsOf()).filter((a) => a.addon_service.name === 'heroku-postgresql');
  const service = { 'paas.platform': t.platform.platformId, 'paas.service': pg?.id ?? '' };
  const [first] = await containerOf(service);
  expect(first).toBeTruthy();
  const expectRows = async (what: string) =>
    eventually(async () => (await count()) === 5, 60_000, `5 rows after ${what}`);

  await commitAll(repo, t.home, 'a second deploy');
  expect((await git(['push', 'paas', 'main'], { cwd: repo, home: t.home })).code).toBe(0);
  await expectRows('a deploy');
  expect((await cli('rollback')).code).toBe(0);
  await expectRows('a rollback');
  expect((await cli('config')).stdout).toContain('DATABASE_URL');
  expect((await cli('ps:restart')).code).toBe(0);
  await expectRows('a restart');
  expect(await containerOf(service)).toEqual([first]); // none of these touched the add-on

  await run('docker', ['kill', first ?? '']);
  await eventually(async () => (await containerOf(service)).length === 1, 60_000, 'the agent restarted it');
  await expectRows('the service container was killed');

  await t.agent.stop('SIGKILL');
  t.agent = await t.platform.startAgent('agent-1');
  await expectRows('SIGKILL of the agent');
  expect(await containerOf(service)).toEqual([first]); // adopted, not made again

  await t.platform.restart('SIGKILL');
  await expectRows('SIGKILL of the api');
  expect(await containerOf(service)).toEqual([first]);
  expect((await addonsOf()).every((a) => a.state === 'provisioned')).toBe(true);
});

it('keeps other apps out: no route to the database from their containers, no port off loopback', async () => {
  const [pg] = (await addonsOf()).filter((a) => a.addon_service.name === 'heroku-postgresql');
  other = appName('intruder');
  const otherRepo = await makeRepo(t.home, { files: { Dockerfile: NODE_DOCKERFILE, 'server.js': HELLO_SERVER } });
  expect((await paas(['apps:create', other], { home: t.home, cwd: otherRepo })).code).toBe(0);
  expect((await git(['push', 'paas', 'main'], { cwd: otherRepo, home: t.home })).code).toBe(0);
  const intruder = await eventually(
    async () => (await containerOf({ 'paas.platform': t.platform.platformId, 'paas.app': other }))[0],
    60_000,
    'the other app runs',
  );
  const [service] = await containerOf({ 'paas.platform': t.platform.platformId, 'paas.service': pg?.id ?? '' });
  const { stdout: ips } = await run('docker', [
    'inspect',
    '-f',
    '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}',
    service ?? '',
  ]);
  // By name and by address, from inside the other app's container.
  const probe = `const net = require('node:net');
const targets = process.argv.slice(1);
let left = targets.length;
for (const host of targets) {
  const s = net.connect({ host, port: 5432, timeout: 3000 });
  s.on('connect', () => { console.log('CONNECTED ' + host); s.destroy(); if (!--left) process.exit(0); });
  s.on('timeout', () => { console.log('TIMEOUT ' + host); s.destroy(); if (!--left) process.exit(0); });
  s.on('error', (e) => { console.log('ERROR ' + host + ' ' + e.code); if (!--left) process.exit(0); });
}`;
  const targets = [pg?.name ?? '', ...ips.trim().split(/\s+/)];
  const { stdout } = await run('docker', ['exec', intruder ?? '', 'node', '-e', probe, ...targets]);
  expect(stdout).not.toContain('CONNECTED');
  expect(stdout.trim().split('\n')).toHaveLength(targets.length);
  // The app's own processes reach it (the web process answers from the database).
  expect(await count()).toBe(5);

  const { stdout: listening } = await run('ss', ['-Hltn']);
  const offLoopback = listening
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[3] ?? '')
    .filter((addr) => /:(5432|6379)$/.test(addr) && !/^(127\.|\[::1\])/.test(addr));
  expect(offLoopback).toEqual([]);
});

it('attaches the database to another app under another name, then detaches it', async () => {
  const [pg] = (await addonsOf()).filter((a) => a.addon_service.name === 'heroku-postgresql');
  const otherCli = (...args: string[]) => paas([...args, '-a', other], { home: t.home });
  const attached = await otherCli('addons:attach', pg?.name ?? '', '--as', 'SHARED_DATABASE');
  expect(attached.code, attached.stderr).toBe(0);
  expect(attached.stdout).toContain('Attached as SHARED_DATABASE_URL');
  const config = (await otherCli('config')).stdout;
  const url = /SHARED_DATABASE_URL:\s+(\S+)/.exec(config)?.[1] ?? '';
  expect(url).toContain(`@${pg?.name}:5432/`);
  expect((await otherCli('releases')).stdout).toContain('Attach SHARED_DATABASE resource');
  expect((await otherCli('addons')).stdout).toMatch(new RegExp(`${pg?.name} \\(owned by ${app}\\)`));
  // Its new processes are on the add-on's network now: they reach it by name.
  const reach = `require('node:net').connect({ host: '${pg?.name}', port: 5432, timeout: 3000 })
  .on('connect', () => { console.log('CONNECTED'); process.exit(0); })
  .on('error', (e) => { console.log('ERROR ' + e.code); process.exit(0); })
  .on('timeout', () => { console.log('TIMEOUT'); process.exit(0); });`;
  const inOther = async () => {
    const [id] = await containerOf({ 'paas.platform': t.platform.platformId, 'paas.app': other, 'paas.type': 'web' });
    return id ? (await run('docker', ['exec', id, 'node', '-e', reach])).stdout.trim() : 'none';
  };
  await eventually(async () => (await inOther()) === 'CONNECTED', 60_000, 'the other app reaches the database');

  const owner = await cli('addons:detach', 'DATABASE');
  expect(owner.code).toBe(1);
  expect(owner.stderr).toContain("is the owning app's last attachment");
  const detached = await otherCli('addons:detach', 'SHARED_DATABASE');
  expect(detached.code, detached.stderr).toBe(0);
  expect((await otherCli('config')).stdout).not.toContain('SHARED_DATABASE_URL');
  await eventually(async () => (await inOther()).startsWith('ERROR'), 60_000, 'the other app cut off again');
  expect(await count()).toBe(5);
});

it('captures a backup, restores it over later writes, and downloads a file pg_restore reads', async () => {
  const none = await cli('pg:backups:restore', '--confirm', app);
  expect(none.code).toBe(1);
  expect(none.stderr).toContain('has no backups');
  const captured = await cli('pg:backups:capture');
  expect(captured.code, captured.stderr).toBe(0);
  expect(captured.stderr).toMatch(/Backing up DATABASE on .*\.\.\. done, b001/);
  for (let i = 0; i < 3; i++) expect((await request('POST', '/notes', `later ${i}`)).status).toBe(201);
  expect(await count()).toBe(8);
  expect((await cli('pg:backups')).stdout).toMatch(/b001\s+\S+\s+Completed/);

  const unconfirmed = await cli('pg:backups:restore', 'b001');
  expect(unconfirmed.code).toBe(1);
  expect(unconfirmed.stderr).toContain('--confirm');
  expect(await count()).toBe(8);
  const restored = await cli('pg:backups:restore', 'b001', '--confirm', app);
  expect(restored.code, restored.stderr).toBe(0);
  expect(await count()).toBe(5);

  // pg:psql runs in a one-off of the app; this app's image has no psql, and it says so.
  const psql = await cli('pg:psql', '-c', 'select count(*) from notes');
  expect(psql.code).toBe(127);
  expect(psql.stdout + psql.stderr).toContain('has no psql. Add the Debian package postgresql-client');

  const file = `${repo}/latest.dump`;
  const downloaded = await cli('pg:backups:download', '--output', file);
  expect(downloaded.code, downloaded.stderr).toBe(0);
  const listing = await new Promise<string>((resolve, reject) => {
    const child = execFile('docker', ['run', '--rm', '-i', 'paas/postgres:15', 'pg_restore', '--list'], (err, out) =>
      err ? reject(err) : resolve(out),
    );
    child.stdin?.end(fs.readFileSync(file));
  });
  expect(listing).toMatch(/TABLE public notes/);
  expect(listing).toMatch(/TABLE DATA public notes/);
});

it('detaches and destroys: the var goes in a release, the container and its volume go', async () => {
  const [redis] = (await addonsOf()).filter((a) => a.addon_service.name === 'heroku-redis');
  const destroyed = await cli('addons:destroy', redis?.name ?? '', '--confirm', app);
  expect(destroyed.code, destroyed.stderr).toBe(0);
  expect((await cli('config')).stdout).not.toContain('REDIS_URL');
  expect((await cli('releases')).stdout).toContain('Detach REDIS resource');
  await eventually(
    async () =>
      (await containerOf({ 'paas.platform': t.platform.platformId, 'paas.service': redis?.id ?? '' })).length === 0,
    30_000,
    'the Redis container removed',
  );
  const { stdout: volumes } = await run('docker', ['volume', 'ls', '-q', '--filter', `name=paas-addon-${redis?.id}`]);
  expect(volumes.trim()).toBe('');
  expect((await addonsOf()).map((a) => a.addon_service.name)).toEqual(['heroku-postgresql']);

  // Destroying the app takes its database too: out of the other app first (a release there).
  const [pg] = await addonsOf();
  const ids = await Promise.all(
    [app, other].map(async (name) => (await t.platform.api<{ id: string }>('GET', `/apps/${name}`)).body.id),
  );
  expect(
    (await paas(['addons:attach', pg?.name ?? '', '--as', 'SHARED_DATABASE', '-a', other], { home: t.home })).code,
  ).toBe(0);
  expect((await cli('apps:destroy', '--confirm', app)).code).toBe(0);
  const otherConfig = await paas(['config', '-a', other], { home: t.home });
  expect(otherConfig.stdout).not.toContain('SHARED_DATABASE_URL');
  expect((await paas(['releases', '-a', other], { home: t.home })).stdout).toMatch(/Detach SHARED_DATABASE resource/);
  await eventually(
    async () =>
      (await containerOf({ 'paas.platform': t.platform.platformId, 'paas.service': pg?.id ?? '' })).length === 0,
    30_000,
    'the PostgreSQL container removed with its app',
  );

  // The destroyed app's network, no longer needed by anything, is swept (a restarted agent
  // sweeps at once); the other app's stays: every app's processes have one of their own.
  await t.agent.stop();
  t.agent = await t.platform.startAgent('agent-1');
  const [destroyedId, otherId] = ids;
  await eventually(
    async () => {
      const { stdout } = await run('docker', ['network', 'ls', '--format', '{{.Name}}']);
      return !stdout.includes(`paas-app-${destroyedId}`) && stdout.includes(`paas-app-${otherId}`);
    },
    30_000,
    "the destroyed app's network removed, the other's kept",
  );
});
