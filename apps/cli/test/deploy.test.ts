/**
 * The deploy pipeline end to end, as a user drives it: the real `paas` CLI, real `git push`
 * over HTTP (authenticated by the ~/.netrc entry `paas login` wrote), real Docker builds.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { Release } from '@paas/shared';
import { appName, commitAll, eventually, git, makeRepo, paas, usePlatform } from '@paas/testkit';
import { describe, expect, it } from 'vitest';

const t = usePlatform({ agent: false });

const cli = (args: string[], cwd?: string) => paas(args, { home: t.home, cwd });
const releasesOf = async (app: string, cwd?: string) => {
  const result = await cli(['releases', '-a', app, '--json'], cwd);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Release[];
};

describe('git push paas main', () => {
  it('builds the pushed commit live, makes v1, and config/rollback make v2..v4', async () => {
    const app = appName('hello');
    const nonce = Math.random().toString(36).slice(2);
    const repo = await makeRepo(t.home, { example: 'node-hello' });
    // A build step unique to this run (never cached) that takes a while, to see output arrive live.
    fs.appendFileSync(path.join(repo, 'Dockerfile'), `RUN echo "slow step ${nonce}" && sleep 2\n`);
    await commitAll(repo, t.home, 'slow step');

    const created = await cli(['apps:create', app], repo);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`${t.platform.url}/${app}.git`);

    const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toMatch(/remote: Step 1\/\d+ : FROM paas\/node:20/);
    expect(push.stderr).toContain(`slow step ${nonce}`);
    const lines = push.lineTimes
      .filter((l) => l.line.startsWith('remote:'))
      .map((l) => l.line.replace(/^remote: /, '').trim());
    expect(lines.at(-2)).toBe('-----> Released v1');
    expect(lines.at(-1)).toBe(`http://${app}.localhost:8080/ deployed to paas`);
    // Live: the first build step reached the pusher while the slow step was still to run.
    const firstStep = push.lineTimes.find((l) => l.line.includes('Step 1/'));
    const released = push.lineTimes.find((l) => l.line.includes('Released v1'));
    expect(firstStep && released && released.ms - firstStep.ms).toBeGreaterThan(1500);

    const [v1] = await releasesOf(app, repo);
    expect(v1).toMatchObject({
      version: 1,
      status: 'succeeded',
      current: true,
      description: expect.stringMatching(/^Deploy [0-9a-f]{7}$/),
      process_types: { web: 'node server.js', worker: 'node worker.js' },
    });
    expect(v1?.image?.id).toMatch(/^sha256:[0-9a-f]{64}$/);

    expect((await cli(['config:set', 'GREETING=hi'], repo)).stderr).toContain('done, v2');
    expect((await cli(['config:unset', 'GREETING'], repo)).stderr).toContain('done, v3');
    const back = await cli(['rollback', 'v1'], repo);
    expect(back.stderr).toContain(`Rolling back ⬢ ${app} to v1... done, v4`);

    const releases = await releasesOf(app, repo);
    expect(releases.map((r) => [r.version, r.description])).toEqual([
      [4, 'Rollback to v1'],
      [3, 'Remove GREETING config vars'],
      [2, 'Set GREETING config vars'],
      [1, v1?.description],
    ]);
    for (const r of releases) expect(r.image).toEqual(v1?.image);
    const configOf = async (v: number) =>
      (await t.platform.api<Record<string, string>>('GET', `/apps/${app}/releases/${v}/config-vars`)).body;
    expect(await configOf(2)).toEqual({ GREETING: 'hi' });
    expect(await configOf(3)).toEqual({});
    expect(await configOf(4)).toEqual(await configOf(1));

    const table = await cli(['releases'], repo);
    expect(
      table.stdout
        .split('\n')
        .filter((l) => /^v\d/.test(l))
        .map((l) => l.split(' ')[0]),
    ).toEqual(['v4', 'v3', 'v2', 'v1']);
  });

  it('rejects a push whose build fails, and reuses cached layers when only app code changed', async () => {
    const app = appName('cache');
    const nonce = Math.random().toString(36).slice(2);
    const repo = await makeRepo(t.home, { example: 'node-hello' });
    expect((await cli(['apps:create', app], repo)).code).toBe(0);

    fs.appendFileSync(path.join(repo, 'Dockerfile'), `RUN echo "failing ${nonce}" && exit 3\n`);
    await commitAll(repo, t.home, 'broken build');
    const failed = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(`RUN echo "failing ${nonce}" && exit 3`);
    expect(failed.stderr).toMatch(/Build failed: .*returned a non-zero code: 3/);
    expect(failed.stderr).toContain('[remote rejected] main -> main');
    expect(await releasesOf(app, repo)).toEqual([]);
    expect((await git(['ls-remote', 'paas'], { cwd: repo, home: t.home })).stdout).toBe('');
    const builds = await cli(['builds', '--json'], repo);
    expect(JSON.parse(builds.stdout)[0]).toMatchObject({ status: 'failed', release: null });

    // Fix the build: a dependency step unique to this test, then only app code changes.
    const dockerfile = fs.readFileSync(path.join(repo, 'Dockerfile'), 'utf8').split('\n').slice(0, -2).join('\n');
    fs.writeFileSync(
      path.join(repo, 'Dockerfile'),
      dockerfile.replace('COPY . .', `RUN echo "deps ${nonce}"\nCOPY . .`),
    );
    await commitAll(repo, t.home, 'fixed build');
    const first = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Released v1');

    fs.appendFileSync(path.join(repo, 'server.js'), '\n// an app-code change\n');
    await commitAll(repo, t.home, 'app change');
    const second = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(second.code, second.stderr).toBe(0);
    const depsStep = second.stderr.slice(second.stderr.indexOf(`deps ${nonce}`));
    expect(depsStep).toMatch(/^deps \w+"\s*\nremote:\s+---> Using cache/);
    expect(second.stderr).toContain('Released v2');

    const output = await cli(['builds:output'], repo);
    expect(output.stdout).toContain('Using cache');
    expect(output.stdout).toContain('Released v2');
  });

  it('says no, clearly, to bad input and changes nothing', async () => {
    const app = appName('bad');
    const repo = await makeRepo(t.home, { example: 'node-hello' });
    expect((await cli(['apps:create', app], repo)).code).toBe(0);
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(push.code, push.stderr).toBe(0);
    const before = await releasesOf(app, repo);
    const appsBefore = (await cli(['apps', '--json'])).stdout;

    const badName = await cli(['apps:create', 'Bad_Name']);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toContain('name: must start with a lowercase letter');

    const unknown = await cli(['releases', '-a', 'no-such-app-xyz']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Couldn't find that app.");

    const badToken = await paas(['apps'], { home: t.home, env: { PAAS_API_TOKEN: 'wrong-token-0000000000' } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain('Invalid credentials provided.');

    const badKey = await cli(['config:set', '1BAD=x', 'GOOD=y'], repo);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('1BAD: must start with a letter or underscore');

    const port = await cli(['config:set', 'PORT=1'], repo);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('PORT is set by the platform');

    const badRollback = await cli(['rollback', 'v99'], repo);
    expect(badRollback.code).toBe(1);
    expect(badRollback.stderr).toContain("Couldn't find that release");

    fs.writeFileSync(path.join(repo, 'Procfile'), 'web: node server.js\nworker node worker.js\n');
    await commitAll(repo, t.home, 'bad Procfile');
    const procfile = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    expect(procfile.code).not.toBe(0);
    expect(procfile.stderr).toContain('Procfile line 2: expected "<process type>: <command>"');

    await git(['checkout', '-q', '-b', 'feature'], { cwd: repo, home: t.home });
    const branch = await git(['push', 'paas', 'feature'], { cwd: repo, home: t.home });
    expect(branch.code).not.toBe(0);
    expect(branch.stderr).toContain('paas deploys only the main (or master) branch; you pushed refs/heads/feature');

    const wrongToken = await git(
      ['push', `http://x:wrong-token@127.0.0.1:${t.platform.port}/${app}.git`, 'feature:main'],
      {
        cwd: repo,
        home: t.home,
      },
    );
    expect(wrongToken.code).not.toBe(0);
    expect(wrongToken.stderr).toContain('Invalid credentials provided');

    const unknownApp = await git(['push', `${t.platform.url}/no-such-app-xyz.git`, 'main'], {
      cwd: repo,
      home: t.home,
    });
    expect(unknownApp.code).not.toBe(0);
    expect(unknownApp.stderr).toContain("Couldn't find that app.");

    const noDockerfile = await makeRepo(t.home, { files: { 'server.js': '', Procfile: 'web: node server.js\n' } });
    const noDocker = await git(['push', `${t.platform.url}/${app}.git`, 'main', '--force'], {
      cwd: noDockerfile,
      home: t.home,
    });
    expect(noDocker.code).not.toBe(0);
    // No Dockerfile and nothing detected (a Procfile and server.js, but no package.json).
    expect(noDocker.stderr).toContain('paas could not tell how to build this app');

    expect(await releasesOf(app, repo)).toEqual(before);
    expect((await cli(['apps', '--json'])).stdout).toBe(appsBefore);
  });

  it('runs a second push to the same app after the first, and says it waits', async () => {
    const app = appName('queue');
    const nonce = Math.random().toString(36).slice(2);
    const repo = await makeRepo(t.home, { example: 'node-hello' });
    expect((await cli(['apps:create', app], repo)).code).toBe(0);
    expect((await git(['push', 'paas', 'main'], { cwd: repo, home: t.home })).code).toBe(0);

    // Two clones, each a commit ahead of v1: the first builds slowly.
    const other = `${repo}-other`;
    fs.cpSync(repo, other, { recursive: true });
    fs.appendFileSync(path.join(repo, 'Dockerfile'), `RUN echo "first ${nonce}" && sleep 3\n`);
    await commitAll(repo, t.home, 'first');
    fs.appendFileSync(path.join(other, 'Dockerfile'), `RUN echo "second ${nonce}"\n`);
    await commitAll(other, t.home, 'second');

    const firstPush = git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
    // The second push starts once the first one's build runs (it holds the app's lock then).
    await eventually(
      async () =>
        (await t.platform.api<{ status: string }[]>('GET', `/apps/${app}/builds`)).body.some(
          (b) => b.status === 'pending',
        ),
      30_000,
      'the first build running',
      50,
    );
    const second = await git(['push', 'paas', 'main'], { cwd: other, home: t.home });
    const first = await firstPush;

    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Released v2');
    expect(first.stderr).not.toContain(`second ${nonce}`);
    expect(second.stderr).toContain(
      `Another change to ${app} is in progress (a build or a release command); waiting for it to finish`,
    );
    expect(second.stderr).not.toContain(`first ${nonce}`);
    // It was based on v1's commit, which is no longer the tip: git's rule, said plainly.
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('changed while this push waited');
    expect((await releasesOf(app, repo)).map((r) => r.version)).toEqual([2, 1]);
  });
});
