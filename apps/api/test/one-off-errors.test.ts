/**
 * `POST /apps/:app/dynos` (one-offs) through buildApp() and app.inject(), wired by createDeps
 * on a migrated temp store, no agent: each bad request answers a clear error and starts
 * nothing (no one-off in the store, none in `ps`, no line in the app's log); a good one
 * answers Heroku's dyno, with a one-time attach URL when attached.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { findApp } from '../src/store/apps.js';
import { runningOneOffs } from '../src/store/one-offs.js';
import { expectError, seedDeploy, useInProcessApi } from './in-process.js';

const api = useInProcessApi({ PAAS_RENDEZVOUS_PORT: '5001' });
const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  api.call(method, url, payload, { host: 'paas.test:5000' });

/** What a bad request must leave as it was. */
const nothingStarted = async () => {
  expect(runningOneOffs(api.deps.db)).toEqual([]);
  const dynos = (await call('GET', '/apps/shop/dynos')).json() as { type: string }[];
  expect(dynos.filter((d) => d.type === 'run')).toEqual([]);
  const shop = findApp(api.deps.db, 'shop');
  if (!shop) throw new Error('no app shop');
  expect(
    api.deps.logs
      .recent({ id: shop.id, name: shop.name }, {}, 100)
      .map((l) => l.line)
      .join('\n'),
  ).not.toContain('Starting process');
};

beforeAll(async () => {
  expect((await call('POST', '/apps', { name: 'shop' })).statusCode).toBe(201);
  expect((await call('POST', '/apps', { name: 'empty' })).statusCode).toBe(201);
  seedDeploy(api.deps, 'shop');
});

describe('POST /apps/:app/dynos: bad input starts nothing', () => {
  it('an unknown app: 404', async () => {
    expectError(
      await call('POST', '/apps/nope/dynos', { command: 'true' }),
      404,
      'not_found',
      "Couldn't find that app.",
    );
    await nothingStarted();
  });

  it('an app with no release yet: 422', async () => {
    expectError(
      await call('POST', '/apps/empty/dynos', { command: 'true', attach: true }),
      422,
      'invalid_params',
      'empty has no release to run yet: deploy it first (git push paas main).',
    );
    expect(runningOneOffs(api.deps.db)).toEqual([]);
  });

  it('an unknown process type: 422 naming the types there are', async () => {
    expectError(
      await call('POST', '/apps/shop/dynos', { command: 'true', type: 'nope' }),
      422,
      'invalid_params',
      'Unknown process type: nope. This app has: web, worker.',
    );
    await nothingStarted();
  });

  it('a command longer than 8192 bytes, an empty one, none at all: 422', async () => {
    expectError(
      await call('POST', '/apps/shop/dynos', { command: `echo ${'é'.repeat(4095)}` }),
      422,
      'invalid_params',
      'command: is longer than 8192 bytes, the most a one-off command may be',
    );
    expectError(
      await call('POST', '/apps/shop/dynos', { command: '  ' }),
      422,
      'invalid_params',
      'command: must not be empty',
    );
    expectError(
      await call('POST', '/apps/shop/dynos', {}),
      422,
      'invalid_params',
      'command: is required: the command to run',
    );
    await nothingStarted();
  });

  it('an env key that is not a variable name, or one the platform sets: 422', async () => {
    expectError(
      await call('POST', '/apps/shop/dynos', { command: 'true', env: { '1BAD': 'x' } }),
      422,
      'invalid_params',
      'env.1BAD: 1BAD: must start with a letter or underscore and contain only letters, digits and underscores',
    );
    expectError(
      await call('POST', '/apps/shop/dynos', { command: 'true', env: { DYNO: 'web.9' } }),
      422,
      'invalid_params',
      'env.DYNO: DYNO is set by the platform and cannot be changed',
    );
    expectError(
      await call('POST', '/apps/shop/dynos', { command: 'true', env: 'A=1' }),
      422,
      'invalid_params',
      'env: must be an object of variable names to values',
    );
    await nothingStarted();
  });

  it('an attach URL that is unknown is refused by the rendezvous', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/rendezvous', headers: { 'x-paas-rendezvous': 'guess' } });
    expect(res.statusCode).toBe(404); // not a WebSocket upgrade: nothing there for plain HTTP
  });
});

describe('POST /apps/:app/dynos: a good one', () => {
  it('with no agent to run it: 503, nothing started', async () => {
    expectError(
      await call('POST', '/apps/shop/dynos', { command: 'true' }),
      503,
      'unavailable',
      'No agent is connected to run the process: start one (see README), then try again.',
    );
    await nothingStarted();
    // An agent connects (its messages go nowhere): now there is one to run it.
    api.deps.agents.connect({ agentId: 'agent-1', hostname: 'h', capacity: 10 }, () => {});
  });

  it("answers Heroku's dyno with a one-time attach URL, and resolves a Procfile type", async () => {
    const res = await call('POST', '/apps/shop/dynos', {
      command: 'worker --verbose',
      attach: true,
      env: { COLUMNS: 80, LINES: 24, TERM: 'xterm' },
    });
    expect(res.statusCode).toBe(201);
    const dyno = res.json();
    expect(dyno).toMatchObject({
      name: 'run.1',
      type: 'run',
      state: 'starting',
      command: 'node worker.js --verbose',
      size: 'Basic',
      release: { version: 1 },
      app: { name: 'shop' },
    });
    expect(dyno.attach_url).toMatch(/^rendezvous:\/\/paas\.test:5001\/[\w-]{32}$/);
    const [oneOff] = runningOneOffs(api.deps.db);
    expect(oneOff).toMatchObject({
      number: 1,
      attach: true,
      tty: true,
      timeout: 86_400,
      env: { COLUMNS: '80', LINES: '24', TERM: 'xterm' },
    });
    const detached = (
      await call('POST', '/apps/shop/dynos', { command: 'true', attach: false, time_to_live: 60 })
    ).json();
    expect(detached).toMatchObject({ name: 'run.2', attach_url: null });
    expect(runningOneOffs(api.deps.db).map((o) => [o.number, o.attach, o.timeout])).toEqual([
      [1, true, 86_400],
      [2, false, 60],
    ]);
  });
});
