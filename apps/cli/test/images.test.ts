/**
 * Image collection as a user meets it: the real api and an agent, real pushes, real Docker.
 * An app keeps the images of its newest PAAS_KEEP_RELEASES releases; a rollback to an older
 * one builds its image again from its commit; no running process loses its image; a
 * destroyed app leaves no image behind.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { Build, Release } from '@paas/shared';
import {
  appName,
  commitAll,
  eventually,
  git,
  loggedInHome,
  makeRepo,
  NODE_DOCKERFILE,
  type Platform,
  paas,
  routerGet,
  run,
  startPlatform,
} from '@paas/testkit';
import { expect, it, onTestFinished } from 'vitest';

const docker = async (...args: string[]) => (await run('docker', args)).stdout.trim();

/** A web server that answers its version (and, with `slowStop`, takes 3 s to stop after SIGTERM). */
const server = (version: string, slowStop = false) =>
  `require('http').createServer((req, res) => res.end('${version}\\n')).listen(process.env.PORT);\n` +
  (slowStop ? `process.on('SIGTERM', () => setTimeout(() => process.exit(0), 3000));\n` : '');

/** The ids of the images Docker holds for an app of this platform. */
async function imagesOf(platform: Platform, app: string): Promise<Set<string>> {
  const out = await docker(
    'images',
    '-q',
    '--no-trunc',
    '--filter',
    `label=paas.platform=${platform.platformId}`,
    '--filter',
    `label=paas.app=${app}`,
  );
  return new Set(out.split('\n').filter(Boolean));
}

async function releasesOf(platform: Platform, app: string): Promise<Release[]> {
  const { status, body } = await platform.api<Release[]>('GET', `/apps/${app}/releases`);
  expect(status).toBe(200);
  return body; // newest first
}

/** The distinct images of the newest `n` releases: what must be kept, and all that may be. */
async function keptImagesOf(platform: Platform, app: string, n = 10): Promise<Set<string>> {
  return new Set(
    (await releasesOf(platform, app))
      .slice(0, n)
      .map((r) => r.image?.id)
      .filter((id): id is string => !!id),
  );
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
const imageExists = async (id: string) =>
  await run('docker', ['image', 'inspect', id]).then(
    () => true,
    () => false,
  );

/** The running containers of the platform, each with its image's id. */
async function runningContainers(platform: Platform): Promise<{ id: string; image: string }[]> {
  const ids = (await docker('ps', '-q', '--no-trunc', '--filter', `label=paas.platform=${platform.platformId}`))
    .split('\n')
    .filter(Boolean);
  const containers: { id: string; image: string }[] = [];
  for (const id of ids) {
    try {
      containers.push({ id, image: await docker('inspect', '-f', '{{.Image}}', id) });
    } catch {} // it went away between the two calls
  }
  return containers;
}

/** Running containers of the platform whose image is gone. */
async function containersWithoutImage(platform: Platform): Promise<string[]> {
  const missing: string[] = [];
  for (const c of await runningContainers(platform)) {
    if (!(await imageExists(c.image))) missing.push(`${c.id.slice(0, 12)} runs ${c.image}, which is gone`);
  }
  return missing;
}

async function setUp(env: Record<string, string> = {}) {
  const platform = await startPlatform({ env });
  onTestFinished(async () => {
    await platform.removeContainers();
    await platform.stop();
    // What the test's apps left (this platform's images only; a shared parent stays).
    const left = (await docker('images', '-q', '--no-trunc', '--filter', `label=paas.platform=${platform.platformId}`))
      .split('\n')
      .filter(Boolean);
    if (left.length) await run('docker', ['rmi', ...new Set(left)]).catch(() => {});
  });
  const agent = await platform.startAgent();
  const home = await loggedInHome(platform);
  return { platform, agent, home };
}

it('keeps the images of the newest 10 releases, rebuilds a collected one on rollback, never takes a running one', async () => {
  const { platform, agent, home } = await setUp(); // PAAS_KEEP_RELEASES: the default, 10
  const app = appName('images');
  const host = `${app}.localhost`;
  const repo = await makeRepo(home, { files: { Dockerfile: NODE_DOCKERFILE, 'server.js': server('version 1') } });
  const cli = (...args: string[]) => paas([...args, '-a', app], { home, cwd: repo });
  expect((await paas(['apps:create', app], { home, cwd: repo })).code).toBe(0);

  const commits: string[] = [];
  let lastPush = '';
  for (let v = 1; v <= 13; v++) {
    if (v > 1) {
      fs.writeFileSync(path.join(repo, 'server.js'), server(`version ${v}`));
      await commitAll(repo, home, `version ${v}`);
    }
    commits.push((await git(['rev-parse', 'HEAD'], { cwd: repo, home })).stdout.trim());
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toContain(`Released v${v}`);
    lastPush = push.stderr;
  }
  // Collections ran after each release, yet a code-only push still builds on cached layers.
  expect(lastPush).toMatch(/WORKDIR \/app\s*\nremote:\s+---> Using cache/);
  await eventually(async () => (await routerGet(agent.routerPort, host)).text === 'version 13\n', 30_000, 'v13 served');

  const before = await releasesOf(platform, app);
  const v1Image = before.at(-1)?.image?.id ?? '';
  const collectedImages = before.slice(10).map((r) => r.image?.id ?? '');
  expect(collectedImages).toHaveLength(3);
  await eventually(
    async () => sameSet(await imagesOf(platform, app), await keptImagesOf(platform, app)),
    30_000,
    'only the images of v4..v13 left',
  );
  expect((await imagesOf(platform, app)).size).toBe(10);
  for (const id of collectedImages) expect(await imageExists(id)).toBe(false);
  expect(await imageExists('paas/node:20')).toBe(true); // the base image, a parent of them all, stays

  // v1's image is gone: the rollback builds it again from v1's commit, and says so first.
  const back = await cli('rollback', 'v1');
  expect(back.code, back.stderr).toBe(0);
  expect(back.stderr).toContain(
    `Rebuilding v1 from commit ${commits[0]?.slice(0, 7)} (its image was collected)... done\n` +
      `Rolling back ⬢ ${app} to v1... done, v14\n`,
  );
  await eventually(async () => (await routerGet(agent.routerPort, host)).text === 'version 1\n', 30_000, 'v1 served');
  const afterRollback = await releasesOf(platform, app);
  const [v14] = afterRollback;
  expect(v14).toMatchObject({ version: 14, description: 'Rollback to v1', current: true });
  expect(v14?.image?.id).not.toBe(v1Image);
  expect(v14?.image?.tag).toBe(`paas/${app}:${commits[0]?.slice(0, 12)}`);
  expect(afterRollback.at(-1)?.image?.id).toBe(v1Image); // v1 itself is as it was
  const [rebuild] = (await platform.api<Build[]>('GET', `/apps/${app}/builds`)).body;
  expect(rebuild).toMatchObject({
    status: 'succeeded',
    source_blob: { version: commits[0] },
    release: { version: 14 },
  });
  expect(rebuild?.image?.id).toBe(v14?.image?.id);
  // v14 pushed v4 out of the newest ten: its image goes too.
  await eventually(
    async () => sameSet(await imagesOf(platform, app), await keptImagesOf(platform, app)),
    30_000,
    'only the images of v5..v14 left',
  );

  // A rollback to a release whose image is there builds nothing.
  const fast = await cli('rollback', 'v13');
  expect(fast.stderr).toBe(`Rolling back ⬢ ${app} to v13... done, v15\n`);

  // Scale web up and down while a deploy's collection runs: every running container keeps its image.
  const missing: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      missing.push(...(await containersWithoutImage(platform)));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  fs.writeFileSync(path.join(repo, 'server.js'), server('version 16'));
  await commitAll(repo, home, 'version 16');
  const push = git(['push', 'paas', 'main'], { cwd: repo, home });
  expect((await cli('ps:scale', 'web=3')).code).toBe(0);
  const pushed = await push;
  expect(pushed.code, pushed.stderr).toBe(0);
  expect(pushed.stderr).toContain('Released v16');
  expect((await cli('ps:scale', 'web=1')).code).toBe(0);
  expect((await cli('ps:scale', 'web=2')).code).toBe(0);
  try {
    await eventually(
      async () => {
        const dynos = (
          await platform.api<{ name: string; state: string; release: { version: number } }[]>(
            'GET',
            `/apps/${app}/dynos`,
          )
        ).body;
        return dynos.length === 2 && dynos.every((d) => d.state === 'up' && d.release.version === 16);
      },
      60_000,
      'web.1 and web.2 of v16 up',
    );
    await eventually(
      async () => sameSet(await imagesOf(platform, app), await keptImagesOf(platform, app)),
      30_000,
      'only the images of the newest ten releases left',
    );
  } finally {
    watching = false;
    await watcher;
  }
  expect(missing).toEqual([]);
  expect((await imagesOf(platform, app)).size).toBeLessThanOrEqual(10);
  for (let i = 0; i < 4; i++) expect((await routerGet(agent.routerPort, host)).text).toBe('version 16\n');

  // A destroyed app's images all go, once its processes have stopped.
  const destroyed = await cli('apps:destroy', '--confirm', app);
  expect(destroyed.code, destroyed.stderr).toBe(0);
  await eventually(async () => (await imagesOf(platform, app)).size === 0, 60_000, `no image of ${app} left`);
  expect(await imageExists('paas/node:20')).toBe(true);
});

it('keeps an image while a process still runs it, and a rebuild that fails makes no release', async () => {
  const { platform, agent, home } = await setUp({ PAAS_KEEP_RELEASES: '1' });
  const app = appName('inuse');
  const host = `${app}.localhost`;
  // The app builds FROM a tag of this test's own, so that the test can make a rebuild fail.
  const base = `paas-test/${app}:base`;
  await docker('tag', 'paas/node:20', base);
  onTestFinished(async () => {
    await run('docker', ['rmi', base]).catch(() => {}); // only a tag: the image stays
  });
  const dockerfile = NODE_DOCKERFILE.replace('FROM paas/node:20', `FROM ${base}\nRUN command -v node`);
  const repo = await makeRepo(home, { files: { Dockerfile: dockerfile, 'server.js': server('one', true) } });
  const cli = (...args: string[]) => paas([...args, '-a', app], { home, cwd: repo });
  expect((await paas(['apps:create', app], { home, cwd: repo })).code).toBe(0);
  const v1Commit = (await git(['rev-parse', 'HEAD'], { cwd: repo, home })).stdout.trim();
  expect((await git(['push', 'paas', 'main'], { cwd: repo, home })).code).toBe(0);
  await eventually(async () => (await routerGet(agent.routerPort, host)).text === 'one\n', 30_000, 'v1 served');
  const [v1] = await releasesOf(platform, app);
  const v1Image = v1?.image?.id ?? '';

  // v2 leaves v1 out of the one kept release; but v1's web process runs until v2's is up and
  // then takes 3 s to stop, so Docker refuses to remove its image (409) and it stays meanwhile.
  fs.writeFileSync(path.join(repo, 'server.js'), server('two', true));
  await commitAll(repo, home, 'two');
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
  expect(push.code, push.stderr).toBe(0);
  // While v1's process runs, its image is there (checked before each look at the containers).
  const v1Running = async () => (await runningContainers(platform)).some((c) => c.image === v1Image);
  let whileRunning = 0;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const exists = await imageExists(v1Image);
    if (!(await v1Running())) break;
    expect(exists, "v1's image while its process runs").toBe(true);
    whileRunning += 1;
    expect(Date.now(), "v1's process stopped").toBeLessThan(deadline);
  }
  expect(whileRunning).toBeGreaterThan(0);
  expect(await containersWithoutImage(platform)).toEqual([]);
  // …and goes once the process has (the collection is tried again, backing off).
  await eventually(async () => !(await imageExists(v1Image)), 30_000, "v1's image removed");
  const [v2] = await releasesOf(platform, app);
  expect([...(await imagesOf(platform, app))]).toEqual([v2?.image?.id]);
  expect(platform.logs()).toMatch(/"inUse":1[,}].*"msg":"images collected"|"msg":"images collected".*"inUse":1/);

  // The base tag now names an image without node: rebuilding v1 fails, clearly, and changes nothing.
  await docker('tag', 'paas/debian:bookworm', base);
  const back = await cli('rollback', 'v1');
  expect(back.code).toBe(1);
  expect(back.stderr).toContain(
    `Rebuilding v1 from commit ${v1Commit.slice(0, 7)} (its image was collected)... failed`,
  );
  expect(back.stderr).toMatch(
    new RegExp(
      `Could not rebuild v1's image from commit ${v1Commit.slice(0, 7)}: .*command -v node.* returned a non-zero code: \\d+\\. No release was made`,
    ),
  );
  expect((await releasesOf(platform, app)).map((r) => r.version)).toEqual([2, 1]);
  const [failed] = (await platform.api<Build[]>('GET', `/apps/${app}/builds`)).body;
  expect(failed).toMatchObject({ status: 'failed', source_blob: { version: v1Commit }, release: null });
  expect((await routerGet(agent.routerPort, host)).text).toBe('two\n');

  // Fixed, a plain POST (what `heroku rollback` sends) rebuilds and answers Heroku's release.
  await docker('tag', 'paas/node:20', base);
  const posted = await platform.api<Release>('POST', `/apps/${app}/releases`, { release: 'v1' });
  expect(posted.status).toBe(201);
  expect(posted.body).toMatchObject({ version: 3, description: 'Rollback to v1', current: true });
  expect(posted.headers.get('paas-image-rebuild')).toBe(v1Commit);
  await eventually(async () => (await routerGet(agent.routerPort, host)).text === 'one\n', 30_000, 'v1 served again');
});
