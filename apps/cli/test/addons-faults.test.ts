/**
 * A half-provisioned add-on recovers (issue 13, faults): the api SIGKILLed while its create
 * waits and the service container killed while PostgreSQL initialises; the agent SIGKILLed
 * right after a create. In both cases the add-on ends `provisioned`, attached in a release,
 * and its database answers with the credentials in the app's config.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddonResponse } from '@paas/shared';
import { appName, eventually, paas, usePlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const run = promisify(execFile);

const t = usePlatform();

async function serviceContainers(addonId: string): Promise<string[]> {
  const { stdout } = await run('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=paas.platform=${t.platform.platformId}`,
    '--filter',
    `label=paas.service=${addonId}`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** Starts a create and returns the add-on's id as soon as it is stored (the request may die). */
async function startCreate(app: string): Promise<string> {
  void t.platform.api('POST', `/apps/${app}/addons`, { plan: { name: 'heroku-postgresql' } }).catch(() => {});
  return eventually(
    async () => (await t.platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`)).body[0]?.id,
    30_000,
    'the add-on stored',
  );
}

/** The add-on ends provisioned, DATABASE_URL in config, and a query through it answers. */
async function expectRecovered(app: string, addonId: string): Promise<void> {
  await eventually(
    async () => {
      const config = await t.platform.api<Record<string, string>>('GET', `/apps/${app}/config-vars`);
      return config.body.DATABASE_URL !== undefined;
    },
    90_000,
    'DATABASE_URL attached',
  );
  const addons = await t.platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`);
  expect(addons.body.map((a) => a.state)).toEqual(['provisioned']);
  const url = new URL(
    (await t.platform.api<Record<string, string>>('GET', `/apps/${app}/config-vars`)).body.DATABASE_URL ?? '',
  );
  const [container] = await serviceContainers(addonId);
  const { stdout } = await run('docker', [
    'exec',
    '-e',
    `PGPASSWORD=${url.password}`,
    container ?? '',
    'psql',
    '-h',
    '127.0.0.1',
    '-U',
    url.username,
    '-d',
    url.pathname.slice(1),
    '-Atc',
    'select 40 + 2',
  ]);
  expect(stdout.trim()).toBe('42');
  expect(await serviceContainers(addonId)).toHaveLength(1);
  const releases = await paas(['releases', '-a', app], { home: t.home });
  expect(releases.stdout.match(/Attach DATABASE resource/g)).toHaveLength(1);
}

it('recovers from a SIGKILL of the api mid-create and the service dying while it initialises', async () => {
  const app = appName('halfpg');
  expect((await paas(['apps:create', app], { home: t.home })).code).toBe(0);
  const addonId = await startCreate(app);
  const [first] = await eventually(async () => {
    const ids = await serviceContainers(addonId);
    return ids.length ? ids : undefined;
  }, 30_000);
  await Promise.all([run('docker', ['kill', first ?? '']).catch(() => {}), t.platform.restart('SIGKILL')]);
  await expectRecovered(app, addonId);
});

it('recovers from a SIGKILL of the agent right after a create', async () => {
  const app = appName('halfpg');
  expect((await paas(['apps:create', app], { home: t.home })).code).toBe(0);
  const addonId = await startCreate(app);
  await t.agent.stop('SIGKILL');
  expect((await t.platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`)).body[0]?.state).toBe('provisioning');
  t.agent = await t.platform.startAgent('agent-1');
  await expectRecovered(app, addonId);
});
