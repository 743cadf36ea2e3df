/**
 * The Procfile release phase end to end (issue 12, acceptance 4): real git pushes, real
 * Docker, a real agent and router, the real `paas` CLI. A release command that succeeds runs
 * before any process of its release starts; one that fails leaves the old processes serving
 * (no failed request meanwhile), rejects the push, and its release shows `failed` with its
 * output. Config changes and rollbacks run it too, one change at a time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Release } from '@paas/shared';
import { appName, commitAll, git, makeRepo, NODE_DOCKERFILE, paas, routerGet, usePlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const run = promisify(execFile);

const t = usePlatform();

/** Answers with its version and when it started (ms), so a test can see which process serves. */
const server = (version: string) => `const started = Date.now();
require('node:http').createServer((_q, s) => s.end('${version} ' + started)).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;

/** The release command: prints a marker with the time it ends, sleeps $RELEASE_SLEEP s, exits $RELEASE_EXIT. */
const RELEASE_JS = `const sleep = Number(process.env.RELEASE_SLEEP || 1) * 1000;
console.log('migrating as ' + process.env.DYNO);
setTimeout(() => {
  const code = Number(process.env.RELEASE_EXIT || 0);
  if (code) console.error('migration failed: boom');
  console.log('marker ' + Date.now());
  process.exit(code);
}, sleep);
`;

const PROCFILE = 'web: node server.js\nrelease: node release.js\n';

it('runs the release command before a release goes live, and a failing one changes nothing', async () => {
  const app = appName('relph');
  const host = `${app}.localhost`;
  const repo = await makeRepo(t.home, {
    files: { Dockerfile: NODE_DOCKERFILE, Procfile: PROCFILE, 'server.js': server('one'), 'release.js': RELEASE_JS },
  });
  const cli = (...args: string[]) => paas([...args, '-a', app], { home: t.home, cwd: repo });
  expect((await paas(['apps:create', app], { home: t.home, cwd: repo })).code).toBe(0);

  // v1: the release command runs while the pusher watches, then the web process starts.
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
  expect(push.code, push.stderr).toBe(0);
  expect(push.stderr).toContain('remote: -----> Running release command of v1...');
  expect(push.stderr).toContain('migrating as release.1');
  expect(push.stderr).toMatch(/remote: -----> Release command succeeded\s+remote: -----> Released v1/);
  const marker = Number(/marker (\d+)/.exec(push.stderr)?.[1]);
  let served = { status: 0, text: '' };
  for (let i = 0; i < 300 && served.status !== 200; i++) {
    served = await routerGet(t.agent.routerPort, host);
    if (served.status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  expect(served.status).toBe(200);
  const [version, started] = served.text.split(' ');
  expect(version).toBe('one');
  // The web process started after the release command had printed its last line.
  expect(Number(started)).toBeGreaterThan(marker);

  const output = await cli('releases:output', 'v1');
  expect(output.code, output.stderr).toBe(0);
  expect(output.stdout).toMatch(/^migrating as release\.1\nmarker \d+\n$/);

  // v2: the release command fails. The old process keeps serving throughout, the push is
  // rejected, and the release is failed with its output kept.
  fs.writeFileSync(path.join(repo, 'server.js'), server('two'));
  fs.writeFileSync(path.join(repo, 'Procfile'), 'web: node server.js\nrelease: RELEASE_EXIT=1 node release.js\n');
  await commitAll(repo, t.home, 'v2 with a failing release command');
  let requests = 0;
  const failures: string[] = [];
  let pushing = true;
  const traffic = (async () => {
    while (pushing) {
      const r = await routerGet(t.agent.routerPort, host).catch((err: Error) => ({ status: 0, text: err.message }));
      requests++;
      if (r.status !== 200 || !r.text.startsWith('one ')) failures.push(`${r.status} ${r.text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const failed = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
  // Give a wrongly started v2 process time to show up in the traffic.
  await new Promise((r) => setTimeout(r, 1500));
  pushing = false;
  await traffic;
  expect(failed.code).not.toBe(0);
  expect(failed.stderr).toContain('migration failed: boom');
  expect(failed.stderr).toContain('Release v2 failed: the release command exited with status 1.');
  expect(failed.stderr).toContain('v1 keeps running and stays current; the push was rejected.');
  expect(failed.stderr).toContain('[remote rejected] main -> main');
  expect(requests).toBeGreaterThan(20);
  expect(failures).toEqual([]);

  const releases = await cli('releases');
  expect(releases.stdout).toContain(`${app} Releases - Current: v1`);
  expect(releases.stdout).toMatch(/^v2 +Deploy [0-9a-f]{7} \(release command failed\)/m);
  const listed = JSON.parse((await cli('releases', '--json')).stdout) as Release[];
  expect(listed.map((r) => [r.version, r.status, r.current, r.eligible_for_rollback])).toEqual([
    [2, 'failed', false, false],
    [1, 'succeeded', true, true],
  ]);
  const failedOutput = await cli('releases:output', 'v2');
  expect(failedOutput.stdout).toContain('migration failed: boom');
  expect(failedOutput.stdout).toContain('the release command exited with status 1');
  // The output URL needs no Authorization, and a forged token is refused.
  const url = listed[0]?.output_stream_url ?? '';
  expect(url).toMatch(new RegExp(`^${t.platform.url}/release-output/`));
  expect(await (await fetch(url)).text()).toContain('boom');
  expect((await fetch(`${url.slice(0, -3)}abc`)).status).toBe(403);
  expect((await routerGet(t.agent.routerPort, host)).text).toMatch(/^one /);

  // A config change runs the current release's command (v1's, which succeeds): v3. A second
  // change meanwhile waits for it, says so, then makes v4.
  const slow = cli('config:set', 'RELEASE_SLEEP=4');
  let first = await cli('releases', '--json');
  for (let i = 0; i < 100 && !(JSON.parse(first.stdout) as Release[]).some((r) => r.version === 3); i++) {
    await new Promise((r) => setTimeout(r, 100));
    first = await cli('releases', '--json');
  }
  const second = await cli('config:set', 'OTHER=1');
  const slowDone = await slow;
  expect(slowDone.code, slowDone.stderr).toBe(0);
  expect(slowDone.stderr).toContain('Running release command of v3...');
  expect(slowDone.stderr).toContain('Release command of v3 succeeded');
  expect(second.code, second.stderr).toBe(0);
  expect(second.stderr).toContain("Waiting for v3's release command to finish");
  expect(second.stderr).toContain('done, v4');
  const after = JSON.parse((await cli('releases', '--json')).stdout) as Release[];
  expect(after.slice(0, 2).map((r) => [r.version, r.status, r.current])).toEqual([
    [4, 'succeeded', true],
    [3, 'succeeded', false],
  ]);

  // A bare rollback goes to the second eligible release (v3; the failed v2 is skipped) and runs
  // its release command too.
  const back = await cli('rollback');
  expect(back.code, back.stderr).toBe(0);
  expect(back.stderr).toContain(`to v3... done, v5`);
  expect(back.stderr).toContain('Release command of v5 succeeded');
  expect((await cli('releases:output', 'v5')).stdout).toContain('migrating as release.5');

  // A push while a config change's release command runs (v6: 4 s, v3's config) waits for it,
  // says so, then builds and releases v7 (its own release command succeeding).
  const running = cli('config:set', 'AGAIN=1');
  for (let i = 0; i < 100; i++) {
    const [newest] = JSON.parse((await cli('releases', '--json')).stdout) as Release[];
    if (newest?.version === 6) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  fs.writeFileSync(path.join(repo, 'Procfile'), PROCFILE);
  fs.writeFileSync(path.join(repo, 'server.js'), server('three'));
  await commitAll(repo, t.home, 'v7, fixed');
  const queued = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
  expect(queued.code, queued.stderr).toBe(0);
  expect(queued.stderr).toContain(`Another change to ${app} is in progress (a build or a release command); waiting`);
  expect(queued.stderr).toContain('-----> Released v7');
  expect((await running).code).toBe(0);
  expect(
    (JSON.parse((await cli('releases', '--json')).stdout) as Release[]).slice(0, 2).map((r) => [r.version, r.status]),
  ).toEqual([
    [7, 'succeeded'],
    [6, 'succeeded'],
  ]);
}, 240_000);

it('fails, after a restart, a release whose command the api was killed in the middle of', async () => {
  const app = appName('relkill');
  const repo = await makeRepo(t.home, {
    files: { Dockerfile: NODE_DOCKERFILE, Procfile: PROCFILE, 'server.js': server('one'), 'release.js': RELEASE_JS },
  });
  const cli = (...args: string[]) => paas([...args, '-a', app], { home: t.home, cwd: repo });
  expect((await paas(['apps:create', app], { home: t.home, cwd: repo })).code).toBe(0);
  expect((await git(['push', 'paas', 'main'], { cwd: repo, home: t.home })).code).toBe(0);

  const { status, body } = await t.platform.api<Record<string, string>>('PATCH', `/apps/${app}/config-vars`, {
    RELEASE_SLEEP: '60',
  });
  expect(status).toBe(200);
  const pending = await t.platform.api<Release>('GET', `/apps/${app}/releases/2`);
  expect(pending.body.status).toBe('pending');
  expect(body).toMatchObject({ RELEASE_SLEEP: '60' });
  await t.platform.restart('SIGKILL');

  const v2 = await t.platform.api<Release>('GET', `/apps/${app}/releases/2`);
  expect([v2.body.status, v2.body.current]).toEqual(['failed', false]);
  expect((await cli('releases:output', 'v2')).stdout).toContain(
    'Release command interrupted: the api stopped before it finished',
  );
  // Its container, left running by the killed api, is gone.
  const leftovers = async () =>
    (
      await run('docker', [
        'ps',
        '-aq',
        '--filter',
        `label=paas.platform=${t.platform.platformId}`,
        '--filter',
        'label=paas.runner=api',
      ])
    ).stdout.trim();
  let left = await leftovers();
  for (let i = 0; i < 50 && left; i++) {
    await new Promise((r) => setTimeout(r, 200));
    left = await leftovers();
  }
  expect(left).toBe('');
  // And the app carries on from v1: a new change works.
  const next = await cli('config:set', 'RELEASE_SLEEP=0');
  expect(next.code, next.stderr).toBe(0);
  expect(next.stderr).toContain('Release command of v3 succeeded');
}, 180_000);
