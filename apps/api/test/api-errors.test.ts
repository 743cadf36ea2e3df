/**
 * The API's error paths, through buildApp() and app.inject(): the app is wired by createDeps
 * as main.ts wires it (a migrated SQLite store in a temp dir, the real log router, orchestrator,
 * image collector and Docker port), with no port and no agent. Each bad request must answer its
 * error id, status and message, and leave what a user could see as it was.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { deploy } from '../src/core/releases.js';
import { findApp } from '../src/store/apps.js';
import { insertBuild } from '../src/store/builds.js';
import { decideRelease, startReleaseOutput } from '../src/store/release-outputs.js';
import { ACTOR as actor, expectError, seedDeploy, TOKEN, useInProcessApi } from './in-process.js';

const api = useInProcessApi();
const { call } = api;

const json = async (url: string) => (await call('GET', url)).json();
const names = async (url: string, field: string) =>
  ((await json(url)) as Record<string, unknown>[]).map((x) => x[field]);

/** What a user sees of the app `shop`: a bad request must change none of it. */
async function state() {
  return {
    apps: await names('/apps', 'name'),
    releases: await names('/apps/shop/releases', 'version'),
    config: await json('/apps/shop/config-vars'),
    formation: ((await json('/apps/shop/formation')) as { type: string; quantity: number; size: string }[]).map(
      (f) => `${f.type}=${f.quantity}:${f.size}`,
    ),
    domains: await names('/apps/shop/domains', 'hostname'),
    drains: await names('/apps/shop/log-drains', 'url'),
  };
}

beforeAll(async () => {
  // `shop`: one config change, then a deploy (seeded in the store: building needs Docker) with web and worker.
  expect((await call('POST', '/apps', { name: 'shop' })).statusCode).toBe(201);
  expect((await call('PATCH', '/apps/shop/config-vars', { GREETING: 'hi' })).statusCode).toBe(200);
  seedDeploy(api.deps, 'shop');
  expect((await call('POST', '/apps/shop/domains', { hostname: 'www.example.com' })).statusCode).toBe(201);
  expect((await call('POST', '/apps/shop/log-drains', { url: 'https://logs.example.com/shop' })).statusCode).toBe(201);
  expect((await call('POST', '/apps', { name: 'other' })).statusCode).toBe(201);
});

describe('API errors (buildApp + inject)', () => {
  it('the seeded app is as the other tests expect it', async () => {
    expect(await state()).toEqual({
      apps: ['other', 'shop'],
      releases: [2, 1],
      config: { GREETING: 'hi' },
      formation: ['web=1:Basic', 'worker=0:Basic'],
      domains: ['shop.localhost', 'www.example.com'],
      drains: ['https://logs.example.com/shop'],
    });
  });

  it('refuses a request without a valid token', async () => {
    const before = await state();
    expectError(
      await call('GET', '/apps', undefined, { authorization: '' }),
      401,
      'unauthorized',
      'Invalid credentials provided.',
    );
    expectError(
      await call('POST', '/apps', { name: 'sneaky' }, { authorization: 'Bearer not-the-token' }),
      401,
      'unauthorized',
      'Invalid credentials provided.',
    );
    // The agent channel is not on the public port at all (it has its own TLS listener).
    expectError(
      await call('GET', '/agents/connect', undefined, { authorization: `Bearer ${TOKEN}` }),
      404,
      'not_found',
      'Not found: GET /agents/connect',
    );
    const git = await call('GET', '/shop.git/info/refs?service=git-upload-pack', undefined, { authorization: '' });
    expect(git.statusCode).toBe(401);
    expect(git.headers['www-authenticate']).toBe('Basic realm="paas"');
    expect(git.body).toMatch(/^Invalid credentials provided: use your paas API token as the password/);
    expect(await state()).toEqual(before);
  });

  it('refuses a body that is not JSON', async () => {
    const before = await state();
    expectError(
      await call('POST', '/apps', '{"name": "half', { 'content-type': 'application/json' }),
      400,
      'bad_request',
      'Request body is not valid JSON.',
    );
    expectError(
      await call('PATCH', '/apps/shop/config-vars', '{A: 1}', { 'content-type': 'application/json' }),
      400,
      'bad_request',
      'Request body is not valid JSON.',
    );
    expect(await state()).toEqual(before);
  });

  it('answers 404 for an app that does not exist, whatever is asked of it', async () => {
    const before = await state();
    const missing = "Couldn't find that app.";
    expectError(await call('GET', '/apps/nope'), 404, 'not_found', missing);
    expectError(await call('DELETE', '/apps/nope'), 404, 'not_found', missing);
    expectError(await call('PATCH', '/apps/nope/config-vars', { A: '1' }), 404, 'not_found', missing);
    expectError(await call('POST', '/apps/nope/releases', { release: 1 }), 404, 'not_found', missing);
    expectError(
      await call('PATCH', '/apps/nope/formation', { updates: [{ type: 'web', quantity: 1 }] }),
      404,
      'not_found',
      missing,
    );
    expectError(await call('POST', '/apps/nope/log-sessions', {}), 404, 'not_found', missing);
    expectError(await call('GET', '/apps/nope/dynos'), 404, 'not_found', missing);
    expect(await state()).toEqual(before);
  });

  it('refuses a bad app name, and a name already taken', async () => {
    const before = await state();
    expectError(
      await call('POST', '/apps', { name: 'Bad_Name' }),
      422,
      'invalid_params',
      'name: must start with a lowercase letter and contain only lowercase letters, digits and dashes (2 to 30 characters)',
    );
    expectError(await call('POST', '/apps', { name: 'shop' }), 409, 'conflict', 'Name shop is already taken.');
    expect(await state()).toEqual(before);
  });

  it('refuses bad config keys and values, making no release', async () => {
    const before = await state();
    expectError(
      await call('PATCH', '/apps/shop/config-vars', { 'bad-key': 'x', GOOD: 'y' }),
      422,
      'invalid_params',
      'bad-key: must start with a letter or underscore and contain only letters, digits and underscores',
    );
    expectError(
      await call('PATCH', '/apps/shop/config-vars', { PORT: '80' }),
      422,
      'invalid_params',
      'PORT: PORT is set by the platform and cannot be changed',
    );
    expectError(
      await call('PATCH', '/apps/shop/config-vars', { PAAS_HEALTHCHECK_PATH: 'healthz' }),
      422,
      'invalid_params',
      'PAAS_HEALTHCHECK_PATH: must be a path that starts with /, like /healthz',
    );
    for (const value of ['0', '3601', 'soon']) {
      expectError(
        await call('PATCH', '/apps/shop/config-vars', { PAAS_BOOT_TIMEOUT: value }),
        422,
        'invalid_params',
        'PAAS_BOOT_TIMEOUT: must be a whole number of seconds from 1 to 3600',
      );
    }
    expect(await state()).toEqual(before);
  });

  it('refuses a rollback to a release that does not exist', async () => {
    const before = await state();
    expectError(
      await call('POST', '/apps/shop/releases', { release: 9 }),
      404,
      'not_found',
      "Couldn't find that release: 9.",
    );
    expectError(
      await call('POST', '/apps/shop/releases', { release: 'v9' }),
      404,
      'not_found',
      "Couldn't find that release: v9.",
    );
    expectError(
      await call('POST', '/apps/shop/releases', { release: 1 }),
      422,
      'invalid_params',
      "v1 has no image (it was made before the app's first deploy), so it cannot be rolled back to.",
    );
    expectError(await call('GET', '/apps/shop/releases/9'), 404, 'not_found', "Couldn't find that release.");
    expect(await state()).toEqual(before);
  });

  it('refuses a rollback to a failed release, and release output URLs that are forged, expired or not started', async () => {
    expect((await call('POST', '/apps', { name: 'phased' })).statusCode).toBe(201);
    const phased = findApp(api.deps.db, 'phased');
    if (!phased) throw new Error('no app phased');
    const seed = (n: number) =>
      deploy(
        api.deps.db,
        phased,
        {
          image: { id: `sha256:${String(n).repeat(64)}`, tag: `paas/phased:${n}` },
          processTypes: { web: 'node server.js', release: 'node migrate.js' },
          commit: String(n).repeat(40),
          buildId: insertBuild(api.deps.db, { appId: phased.id, commit: String(n).repeat(40), userEmail: actor.email })
            .id,
        },
        actor,
      );
    const v1 = seed(1); // pending, and its command not started (nothing runs it here)
    const shown = (await call('GET', '/apps/phased/releases/1')).json() as {
      status: string;
      output_stream_url: string;
    };
    expect(shown.status).toBe('pending');
    const url = new URL(shown.output_stream_url);
    // No Authorization needed, but the command has not started: 404, as the Heroku CLI expects.
    expectError(
      await api.app.inject({ method: 'GET', url: url.pathname }),
      404,
      'not_found',
      'Release command not started yet.',
    );
    const forged = `${url.pathname.slice(0, -4)}AAAA`;
    const refused = 'This release output URL is not valid or has expired; show the release again for a fresh one.';
    expectError(await api.app.inject({ method: 'GET', url: forged }), 403, 'forbidden', refused);
    // Its expiry moved back (the signature no longer matches; expiry itself: release-tokens.test.ts).
    const edited = api.deps.outputTokens.issue(v1.id).replace(/\.[0-9a-z]+\./, '.1.');
    expectError(await api.app.inject({ method: 'GET', url: `/release-output/${edited}` }), 403, 'forbidden', refused);
    startReleaseOutput(api.deps.db, {
      releaseId: v1.id,
      appId: phased.id,
      process: 'release.1',
      command: 'node migrate.js',
    });
    decideRelease(api.deps.db, v1.id, {
      status: 'failed',
      exitCode: 1,
      reason: 'the release command exited with status 1',
      output: { text: 'boom\n', dropped: 0 },
    });
    const done = await api.app.inject({ method: 'GET', url: url.pathname });
    expect([done.statusCode, done.body]).toEqual([200, 'boom\n']);
    expectError(
      await call('POST', '/apps/phased/releases', { release: 1 }),
      422,
      'invalid_params',
      'v1 failed its release phase (paas releases:output v1), so it cannot be rolled back to.',
    );
    const listed = (await call('GET', '/apps/phased/releases')).json() as {
      current: boolean;
      eligible_for_rollback: boolean;
    }[];
    expect(listed.map((r) => [r.current, r.eligible_for_rollback])).toEqual([[false, false]]);
  });

  it('refuses to scale a process type the app does not have, all or nothing', async () => {
    const before = await state();
    const noClock = 'No such process type clock defined in Procfile. This app has: web, worker.';
    expectError(
      await call('PATCH', '/apps/shop/formation', {
        updates: [
          { type: 'web', quantity: 3 },
          { type: 'clock', quantity: 1 },
        ],
      }),
      422,
      'invalid_params',
      noClock,
    );
    expectError(await call('PATCH', '/apps/shop/formation/clock', { quantity: 1 }), 422, 'invalid_params', noClock);
    expectError(
      await call('PATCH', '/apps/other/formation', { updates: [{ type: 'web', quantity: 1 }] }),
      422,
      'invalid_params',
      'No such process type web: other has no process types yet (deploy it first).',
    );
    expect(await state()).toEqual(before);
  });

  it('refuses a quantity out of range, all or nothing', async () => {
    const before = await state();
    expectError(
      await call('PATCH', '/apps/shop/formation', {
        updates: [
          { type: 'web', quantity: 2 },
          { type: 'worker', quantity: '+101' },
        ],
      }),
      422,
      'invalid_params',
      'quantity: must be between 0 and 100 (+101 would make it 101)',
    );
    expectError(
      await call('PATCH', '/apps/shop/formation/web', { quantity: '-2' }),
      422,
      'invalid_params',
      'quantity: must be between 0 and 100 (-2 would make it -1)',
    );
    const tooMany = await call('PATCH', '/apps/shop/formation/web', { quantity: 101 });
    expect(tooMany.statusCode).toBe(422);
    expect(tooMany.json()).toMatchObject({ id: 'invalid_params', message: expect.stringMatching(/^quantity: /) });
    expect(await state()).toEqual(before);
  });

  it('refuses an unknown dyno size, naming the valid ones, all or nothing; takes any case of a known one', async () => {
    const before = await state();
    const sizes = 'Valid sizes are eco, basic, standard-1x, standard-2x, performance-m, performance-l.';
    expectError(
      await call('PATCH', '/apps/shop/formation', {
        updates: [
          { type: 'web', quantity: 2 },
          { type: 'worker', size: 'huge' },
        ],
      }),
      422,
      'invalid_params',
      `Unknown dyno size: huge. ${sizes}`,
    );
    expectError(
      await call('PATCH', '/apps/shop/formation/web', { size: 'standard-3x' }),
      422,
      'invalid_params',
      `Unknown dyno size: standard-3x. ${sizes}`,
    );
    expect(await state()).toEqual(before);
    const resized = await call('PATCH', '/apps/shop/formation/worker', { size: 'STANDARD-2X' });
    expect(resized.statusCode).toBe(200);
    expect(resized.json()).toMatchObject({ type: 'worker', size: 'Standard-2X' });
    const back = await call('PATCH', '/apps/shop/formation/worker', { size: 'basic' });
    expect(back.json()).toMatchObject({ size: 'Basic' });
    expect(await state()).toEqual(before);
  });

  it('refuses to stop or restart a process the app does not have', async () => {
    const before = await state();
    const has = 'This app has: web, worker.';
    expectError(
      await call('POST', '/apps/shop/dynos/clock.1/actions/stop'),
      404,
      'not_found',
      `Couldn't find that process: clock.1. ${has}`,
    );
    expectError(
      await call('POST', '/apps/shop/formations/clock/actions/stop'),
      404,
      'not_found',
      `Couldn't find that process: clock. ${has}`,
    );
    expectError(
      await call('POST', '/apps/shop/dynos/web.x/actions/stop'),
      404,
      'not_found',
      `Couldn't find that process: web.x. ${has}`,
    );
    expectError(
      await call('DELETE', '/apps/shop/dynos/clock'),
      404,
      'not_found',
      `Couldn't find that process: clock. ${has}`,
    );
    expectError(
      await call('POST', '/apps/other/dynos/web.1/actions/stop'),
      404,
      'not_found',
      "Couldn't find that process: web.1. This app has: no process types.",
    );
    expect(await state()).toEqual(before);
  });

  it('refuses a bad domain, one another app has, and any under the platform domain', async () => {
    const before = await state();
    for (const hostname of ['SHOP.localhost', 'other.localhost', 'www.shop.localhost']) {
      const lower = hostname.toLowerCase();
      expectError(
        await call('POST', '/apps/other/domains', { hostname }),
        422,
        'invalid_params',
        `${lower} is under the platform's domain localhost: apps get <app>.localhost by themselves, and a custom domain must be outside it.`,
      );
    }
    expectError(
      await call('POST', '/apps/shop/domains', { hostname: 'not a host' }),
      422,
      'invalid_params',
      'hostname: must be a host name like www.example.com',
    );
    expectError(
      await call('POST', '/apps/other/domains', { hostname: 'WWW.example.com' }),
      409,
      'conflict',
      'www.example.com is already in use by an app.',
    );
    expectError(
      await call('DELETE', '/apps/other/domains/www.example.com'),
      404,
      'not_found',
      "Couldn't find that domain: www.example.com.",
    );
    expect(await names('/apps/other/domains', 'hostname')).toEqual(['other.localhost']);
    expect(await state()).toEqual(before);
  });

  it('refuses a bad drain URL, and a drain twice', async () => {
    const before = await state();
    expectError(
      await call('POST', '/apps/shop/log-drains', { url: 'ftp://logs.example.com/' }),
      422,
      'invalid_params',
      'url: must start with https://, http:// or syslog+tcp://',
    );
    expectError(
      await call('POST', '/apps/shop/log-drains', { url: 'syslog+tcp://logs.example.com' }),
      422,
      'invalid_params',
      'url: syslog+tcp:// needs a port, like syslog+tcp://host:514',
    );
    expectError(
      await call('POST', '/apps/shop/log-drains', { url: 'https://logs.example.com/shop' }),
      409,
      'conflict',
      'https://logs.example.com/shop is already a drain of this app.',
    );
    expectError(
      await call('DELETE', '/apps/shop/log-drains/https%3A%2F%2Fnowhere.example.com'),
      404,
      'not_found',
      'https://nowhere.example.com is not a drain of shop.',
    );
    expect(await state()).toEqual(before);
  });

  it('refuses a bad log-session body, and an unknown session', async () => {
    const before = await state();
    expectError(
      await call('POST', '/apps/shop/log-sessions', { lines: -1 }),
      422,
      'invalid_params',
      'lines: Too small: expected number to be >=0',
    );
    expectError(
      await call('POST', '/apps/shop/log-sessions', { source: 'kernel' }),
      422,
      'invalid_params',
      'source: Invalid option: expected one of "app"|"paas"',
    );
    expectError(
      await call('POST', '/apps/shop/log-sessions', { colour: 'red' }),
      422,
      'invalid_params',
      'Unrecognized key: "colour"',
    );
    expectError(
      await call('GET', '/log-sessions/not-a-session', undefined, { authorization: '' }),
      404,
      'not_found',
      'This log session has expired: start a new one.',
    );
    expect(await state()).toEqual(before);
  });

  it('refuses an unknown add-on service or plan, a bad attachment name, and unknown add-ons', async () => {
    const before = await state();
    expectError(
      await call('POST', '/apps/shop/addons', { plan: { name: 'heroku-mysql' } }),
      422,
      'invalid_params',
      `Couldn't find either the add-on service or the add-on plan of "heroku-mysql". Available: heroku-postgresql, heroku-redis.`,
    );
    expectError(
      await call('POST', '/apps/shop/addons', { plan: { name: 'heroku-postgresql:enormous' } }),
      422,
      'invalid_params',
      'Couldn\'t find the plan "enormous" of heroku-postgresql. Plans: essential-0, essential-1, essential-2, mini, basic, hobby-dev, standard-0, premium-0.',
    );
    expectError(
      await call('POST', '/apps/shop/addons', { plan: { name: 'redis' }, attachment: { name: '1st-cache' } }),
      422,
      'invalid_params',
      'Attachment name 1st-cache is invalid: it must start with a letter and hold only letters, digits and underscores.',
    );
    expect((await call('POST', '/apps/shop/addons', {})).statusCode).toBe(422);
    expect((await call('GET', '/apps/shop/addons/postgresql-none-1')).json()).toEqual({
      id: 'not_found',
      message: "Couldn't find that add-on: postgresql-none-1.",
      resource: 'add_on',
    });
    expect((await call('DELETE', '/apps/shop/addons/postgresql-none-1')).json()).toEqual({
      id: 'not_found',
      message: "Couldn't find that add-on: postgresql-none-1.",
      resource: 'add_on',
    });
    const resolve = await call('POST', '/actions/addons/resolve', { addon: 'postgresql-none-1', app: 'shop' });
    expect({ status: resolve.statusCode, resource: resolve.json().resource }).toEqual({
      status: 404,
      resource: 'add_on',
    });
    expectError(
      await call('POST', '/apps/shop/pg-backups', {}),
      404,
      'not_found',
      'shop has no PostgreSQL database (paas addons:create heroku-postgresql).',
    );
    expect(await json('/apps/shop/addons')).toEqual([]);
    expect(await state()).toEqual(before);
  });
});
