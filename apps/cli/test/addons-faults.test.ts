/**
 * A half-provisioned add-on recovers (issue 13, faults): the api SIGKILLed while its create
 * waits and the service container killed while PostgreSQL initialises; the agent SIGKILLed
 * right after a create. In both cases the add-on ends `provisioned`, attached in a release,
 * and its database answers with the credentials in the app's config.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddonResponse } from '@paas/shared';
import { type Agent, appName, eventually, loggedInHome, type Platform, paas, startPlatform } from '@paas/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);

let platform: Platform;
let agent: Agent;
let home: string;

beforeAll(async () => {
  platform = await startPlatform();
  agent = await platform.startAgent('agent-1');
  home = await loggedInHome(platform);
});
afterAll(async () => {
  await agent.stop();
  await platform.removeContainers();
  expect(await platform.stop()).toBe(0);
});

async function serviceContainers(addonId: string): Promise<string[]> {
  const { stdout } = await run('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=paas.platform=${platform.platformId}`,
    '--filter',
    `label=paas.service=${addonId}`,
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** Starts a create and returns the add-on's id as soon as it is stored (the request may die). */
async function startCreate(app: string): Promise<string> {
  void platform.api('POST', `/apps/${app}/addons`, { plan: { name: 'heroku-postgresql' } }).catch(() => {});
  return eventually(
    async () => (await platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`)).body[0]?.id,
    30_000,
    'the add-on stored',
  );
}

/** The add-on ends provisioned, DATABASE_URL in config, and a query through it answers. */
async function expectRecovered(app: string, addonId: string): Promise<void> {
  await eventually(
    async () => {
      const config = await platform.api<Record<string, string>>('GET', `/apps/${app}/config-vars`);
      return config.body.DATABASE_URL !== undefined;
    },
    90_000,
    'DATABASE_URL attached',
  );
  const addons = await platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`);
  expect(addons.body.map((a) => a.state)).toEqual(['provisioned']);
  const url = new URL(
    (await platform.api<Record<string, string>>('GET', `/apps/${app}/config-vars`)).body.DATABASE_URL ?? '',
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
  const releases = await paas(['releases', '-a', app], { home });
  expect(releases.stdout.match(/Attach DATABASE resource/g)).toHaveLength(1);
}

it('recovers from a SIGKILL of the api mid-create and the service dying while it initialises', async () => {
  const app = appName('halfpg');
  expect((await paas(['apps:create', app], { home })).code).toBe(0);
  const addonId = await startCreate(app);
  const [first] = await eventually(async () => {
    const ids = await serviceContainers(addonId);
    return ids.length ? ids : undefined;
  }, 30_000);
  await Promise.all([run('docker', ['kill', first ?? '']).catch(() => {}), platform.restart('SIGKILL')]);
  await expectRecovered(app, addonId);
});

it('recovers from a SIGKILL of the agent right after a create', async () => {
  const app = appName('halfpg');
  expect((await paas(['apps:create', app], { home })).code).toBe(0);
  const addonId = await startCreate(app);
  await agent.stop('SIGKILL');
  expect((await platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`)).body[0]?.state).toBe('provisioning');
  agent = await platform.startAgent('agent-1');
  await expectRecovered(app, addonId);
});
