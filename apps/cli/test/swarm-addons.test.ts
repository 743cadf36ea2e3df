/**
 * Add-ons under the swarm runtime (issue 17): a twelve-factor app (examples/notes: web,
 * worker, migrations as its release command) on a real PostgreSQL add-on, deployed by a real
 * git push to a platform with PAAS_RUNTIME=swarm. Its web and worker are Swarm tasks, the
 * release phase and `paas run` are containers on the agent's engine, the database is the
 * agent's add-on container: all on the app's overlay network, where the database answers by
 * the name in DATABASE_URL. (apps/cli/test/addons.test.ts asserts the rest of add-ons on
 * the agents runtime.)
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import { appName, eventually, git, makeRepo, paas, routerGet, usePlatform, useRuntime } from '@paas/testkit';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);

useRuntime('swarm', afterAll);

const t = usePlatform();

/** A request through the agent's router, its JSON answer. */
async function request(app: string, path: string, method = 'GET', body = '') {
  const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const r = http.request(
      { host: '127.0.0.1', port: t.agent.routerPort, method, path, headers: { host: `${app}.localhost` } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    r.on('error', reject);
    r.end(body);
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(res.text);
  } catch {}
  return { status: res.status, json };
}

it('runs a web + worker + release-phase app on PostgreSQL on swarm: router, worker and paas run reach the database', async () => {
  const app = appName('swnotes');
  const repo = await makeRepo(t.home, { example: 'notes' });
  const cli = (...args: string[]) => paas([...args, '-a', app], { home: t.home, cwd: repo });
  expect((await paas(['apps:create', app], { home: t.home, cwd: repo })).code).toBe(0);
  // The database first: the first release's phase migrates it.
  const created = await cli('addons:create', 'heroku-postgresql');
  expect(created.code, created.stderr).toBe(0);
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
  expect(push.code, push.stderr).toBe(0);
  expect((await cli('ps:scale', 'worker=1')).code).toBe(0);

  // The web process (a Swarm task) writes and reads rows through the router.
  await eventually(async () => (await request(app, '/notes', 'POST', 'first')).status === 201, 90_000, 'a note');
  for (let i = 0; i < 2; i++) expect((await request(app, '/notes', 'POST', `n${i}`)).status).toBe(201);
  expect((await request(app, '/notes/count')).json.count).toBe(3);
  const { stdout: tasks } = await run('docker', [
    'ps',
    '--filter',
    `label=paas.platform=${t.platform.platformId}`,
    '--filter',
    `label=paas.app=${app}`,
    '--filter',
    'label=paas.runtime=swarm',
    '--format',
    '{{.Label "paas.type"}} {{.Networks}}',
  ]);
  expect(tasks.trim().split('\n').sort()).toEqual([
    expect.stringMatching(/^web paas-app-[0-9a-f-]+$/),
    expect.stringMatching(/^worker paas-app-[0-9a-f-]+$/),
  ]);

  // A one-off reaches the database (attached, its output is the client's): it reads the rows
  // and queues a job, which the worker (a Swarm task) takes.
  const oneOff = await paas(
    [
      'run',
      '-a',
      app,
      '--',
      'node',
      '-e',
      "const { db } = require('./lib'); db.query('SELECT count(*)::int AS n FROM notes').then(async (r) => { await db.query(\"INSERT INTO jobs (kind) VALUES ('swarm')\"); console.log('one-off saw ' + r.rows[0].n + ' notes'); process.exit(0); }, (e) => { console.log('one-off failed: ' + e.message); process.exit(1); })",
    ],
    { home: t.home, cwd: repo },
  );
  expect(oneOff.stdout, oneOff.stderr).toContain('one-off saw 3 notes');
  expect(oneOff.code).toBe(0);
  await eventually(async () => (await request(app, '/stats')).json.jobs_done === 1, 60_000, 'the worker did the job');
  expect((await routerGet(t.agent.routerPort, `${app}.localhost`, { path: '/notes/count' })).text).toBe('{"count":3}');
});
