/**
 * The api as a twelve-factor process: config from env, schema checks, token bootstrap,
 * health, graceful SIGTERM, error shapes, and release numbering under concurrent writes.
 * Each test runs the real api process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { App, Release } from '@paas/shared';
import {
  admin,
  appName,
  eventually,
  git,
  loggedInHome,
  makeRepo,
  paas,
  ROOT,
  startPlatform,
  tempDir,
} from '@paas/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../src/store/db.js';

/** Runs the api and expects it to refuse to start; returns what it printed. */
function refusesToStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', path.join(ROOT, 'apps/api/src/main.ts')],
      { cwd: ROOT, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('api process', () => {
  it('stops at start on bad config, naming every bad variable', async () => {
    const { code, output } = await refusesToStart({
      PORT: 'abc',
      PAAS_DOMAIN: 'not a domain',
      LOG_LEVEL: 'loud',
      PAAS_DATA_DIR: tempDir(),
    });
    expect(code).toBe(1);
    for (const name of ['PORT', 'PAAS_DOMAIN', 'LOG_LEVEL']) expect(output).toContain(name);
  });

  it('refuses a store older or newer than it knows, saying what to run', async () => {
    const dataDir = tempDir();
    const fresh = await refusesToStart({ PAAS_DATA_DIR: dataDir });
    expect(fresh.code).toBe(1);
    expect(fresh.output).toContain(`schema version 0, this api needs version ${SCHEMA_VERSION}`);
    expect(fresh.output).toContain('pnpm paas-admin migrate');

    await admin(dataDir, 'migrate');
    const db = new Database(path.join(dataDir, 'paas.db'));
    db.pragma('user_version = 99');
    db.close();
    const newer = await refusesToStart({ PAAS_DATA_DIR: dataDir });
    expect(newer.code).toBe(1);
    expect(newer.output).toContain('written by a newer paas');
  });

  it('generates an admin token on first start only, and prints it once', async () => {
    const dataDir = tempDir();
    const first = await startPlatform({ dataDir, env: { PAAS_API_TOKEN: '' } });
    const match = /"token":"([^"]+)".*generated the admin API token/.exec(first.logs());
    expect(match).not.toBeNull();
    const token = match?.[1] ?? '';
    const account = await fetch(`${first.url}/account`, { headers: { authorization: `Bearer ${token}` } });
    expect(account.status).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await startPlatform({ dataDir, env: { PAAS_API_TOKEN: '' } });
    expect(second.logs()).not.toContain('generated the admin API token');
    const again = await fetch(`${second.url}/account`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    expect(await second.stop()).toBe(0);
  });

  it('answers /healthz 503 while Docker is unreachable, 200 when it is', async () => {
    const down = await startPlatform({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }, waitFor: 'listening' });
    const res = await fetch(`${down.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', checks: { store: 'ok' } });
    expect(await down.stop()).toBe(0);

    const up = await startPlatform();
    const ok = await fetch(`${up.url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', checks: { store: 'ok', docker: 'ok' } });
    expect(await up.stop()).toBe(0);
  });

  it('answers errors as { id, message } with the right status', async () => {
    const platform = await startPlatform();
    const app = appName('errors');
    const noAuth = await fetch(`${platform.url}/apps`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ id: 'unauthorized', message: 'Invalid credentials provided.' });

    expect(await platform.api('GET', '/apps/no-such-app')).toMatchObject({
      status: 404,
      body: { id: 'not_found', message: "Couldn't find that app." },
    });
    const badName = await platform.api('POST', '/apps', { name: 5 });
    expect(badName.status).toBe(422);
    expect(badName.body).toMatchObject({ id: 'invalid_params', message: expect.stringContaining('name:') });

    expect((await platform.api('POST', '/apps', { name: app })).status).toBe(201);
    expect(await platform.api('POST', '/apps', { name: app })).toMatchObject({
      status: 409,
      body: { id: 'conflict', message: `Name ${app} is already taken.` },
    });
    const wrongType = await platform.api('PATCH', `/apps/${app}/config-vars`, { GOOD: 'x', COUNT: 1 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body).toMatchObject({ id: 'invalid_params', message: expect.stringContaining('COUNT:') });
    const tooLong = await platform.api('PATCH', `/apps/${app}/config-vars`, { BIG: 'x'.repeat(32 * 1024 + 1) });
    expect(tooLong.status).toBe(422);
    expect((await platform.api('GET', `/apps/${app}/releases`)).body).toEqual([]);

    const badJson = await fetch(`${platform.url}/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.token}`, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ id: 'bad_request', message: 'Request body is not valid JSON.' });

    const rollbackNoImage = await platform.api('PATCH', `/apps/${app}/config-vars`, { A: '1' });
    expect(rollbackNoImage.status).toBe(200);
    const refused = await platform.api('POST', `/apps/${app}/releases`, { release: '1' });
    expect(refused).toMatchObject({ status: 422, body: { message: expect.stringContaining('has no image') } });
    expect((await platform.api<Release[]>('GET', `/apps/${app}/releases`)).body).toHaveLength(1);

    const scale = await platform.api('PATCH', `/apps/${app}/formation`, { updates: [{ type: 'web', quantity: 2 }] });
    expect(scale).toMatchObject({
      status: 422,
      body: { message: expect.stringContaining('has no process types yet') },
    });
    expect(await platform.stop()).toBe(0);
  });

  it('numbers 20 concurrent config changes 1..20 with no gaps or duplicates', async () => {
    const platform = await startPlatform();
    const app = appName('race');
    expect((await platform.api('POST', '/apps', { name: app })).status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => platform.api('PATCH', `/apps/${app}/config-vars`, { [`KEY_${i}`]: `${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const versions = results.map((r) => r.headers.get('paas-release-version')).sort();
    expect(new Set(versions).size).toBe(20);
    const releases = (await platform.api<Release[]>('GET', `/apps/${app}/releases`)).body;
    expect(releases.map((r) => r.version)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    // Each change was applied on top of all the earlier ones: the last has all 20 keys.
    expect(
      Object.keys((await platform.api<Record<string, string>>('GET', `/apps/${app}/config-vars`)).body),
    ).toHaveLength(20);
    expect(await platform.stop()).toBe(0);
  });

  it('on SIGTERM lets a running build finish, then exits 0', async () => {
    const platform = await startPlatform();
    const home = await loggedInHome(platform);
    const app = appName('graceful');
    const nonce = Math.random().toString(36).slice(2);
    const repo = await makeRepo(home, {
      example: 'node-hello',
      files: { 'slow.txt': nonce },
    });
    const dockerfile = `FROM paas/node:20\nWORKDIR /app\nCOPY . .\nRUN echo "slow ${nonce}" && sleep 3\nCMD ["node", "server.js"]\n`;
    await import('node:fs').then((fs) => fs.writeFileSync(path.join(repo, 'Dockerfile'), dockerfile));
    await git(['commit', '-qam', 'slow'], { cwd: repo, home });
    expect((await paas(['apps:create', app], { home, cwd: repo })).code).toBe(0);

    const push = git(['push', 'paas', 'main'], { cwd: repo, home });
    // SIGTERM only once the build is running (it has a 3 s step), else this tests nothing.
    await eventually(
      async () =>
        (await platform.api<{ status: string }[]>('GET', `/apps/${app}/builds`)).body.some(
          (b) => b.status === 'pending',
        ),
      20_000,
      'a running build',
      50,
    );
    const stopping = platform.stop('SIGTERM');
    const result = await push;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Released v1');
    expect(await stopping).toBe(0);
    expect(platform.logs()).toContain('stopping: finishing in-flight requests and builds');

    // The store was closed cleanly: a new api on it sees the finished build and release.
    const again = await startPlatform({ dataDir: platform.dataDir });
    const apps = (await again.api<App[]>('GET', '/apps')).body;
    expect(apps.map((a) => a.name)).toContain(app);
    const releases = (await again.api<Release[]>('GET', `/apps/${app}/releases`)).body;
    expect(releases.map((r) => [r.version, r.status])).toEqual([[1, 'succeeded']]);
    expect(await again.stop()).toBe(0);
  });

  it('destroys an app: gone from the list, name free again, its releases kept in the store', async () => {
    const platform = await startPlatform();
    const app = appName('gone');
    expect((await platform.api('POST', '/apps', { name: app })).status).toBe(201);
    await platform.api('PATCH', `/apps/${app}/config-vars`, { A: '1' });
    expect((await platform.api('DELETE', `/apps/${app}`)).status).toBe(200);
    expect((await platform.api('GET', `/apps/${app}`)).status).toBe(404);
    expect((await platform.api('POST', '/apps', { name: app })).status).toBe(201);
    expect((await platform.api<Release[]>('GET', `/apps/${app}/releases`)).body).toEqual([]);
    const db = new Database(path.join(platform.dataDir, 'paas.db'), { readonly: true });
    const kept = db
      .prepare(`SELECT COUNT(*) AS n FROM releases r JOIN apps a ON a.id = r.app_id WHERE a.name = ?`)
      .get(app);
    db.close();
    expect(kept).toEqual({ n: 1 });
    expect(await platform.stop()).toBe(0);
  });
});
