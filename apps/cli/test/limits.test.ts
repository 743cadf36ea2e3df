/**
 * Builds and pushes are bounded, with real pushes and real Docker builds: a build that prints
 * without end (`RUN yes`) is stopped by the output cap and the api's memory stays flat; one
 * that runs past PAAS_BUILD_TIMEOUT is stopped; a push larger than PAAS_MAX_PUSH_SIZE is
 * refused. Each refusal names the limit and its value; none makes a release.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  appName,
  commitAll,
  eventually,
  git,
  loggedInHome,
  makeRepo,
  type Platform,
  paas,
  run,
  startPlatform,
} from '@paas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let platform: Platform;
let home: string;

beforeAll(async () => {
  platform = await startPlatform({
    env: {
      PAAS_BUILD_TIMEOUT: '10',
      PAAS_MAX_PUSH_SIZE: String(2 * 1024 * 1024),
      PAAS_BUILD_MEMORY: '512',
      PAAS_BUILD_CPUS: '0.5',
    },
  });
  home = await loggedInHome(platform);
}, 60_000);
afterAll(async () => {
  await platform?.stop();
});

const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${platform.process.pid}/status`, 'utf8'))?.[1]);

async function appWith(dockerfile: string, files: Record<string, string | Buffer> = {}) {
  const app = appName('limit');
  const repo = await makeRepo(home, { files: { Dockerfile: dockerfile } });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(repo, name), content);
  if (Object.keys(files).length) await commitAll(repo, home, 'files');
  const created = await paas(['apps:create', app], { home, cwd: repo });
  expect(created.code, created.stderr).toBe(0);
  return { app, repo };
}

const noRelease = async (app: string, repo: string) => {
  const releases = await paas(['releases', '-a', app, '--json'], { home, cwd: repo });
  expect(JSON.parse(releases.stdout)).toEqual([]);
};

describe('build and push limits', () => {
  it('stops a build that prints without end, and the api keeps its memory', async () => {
    const rss = [rssKb()];
    for (const round of [1, 2]) {
      const { app, repo } = await appWith(`FROM paas/debian:bookworm\nRUN yes ${randomBytes(4).toString('hex')}\n`);
      const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
      rss.push(rssKb());
      expect(push.code).not.toBe(0);
      expect(push.stderr).toContain(
        'remote: -----> Build failed: stopped: the build printed more than the build output limit of 100,000 lines',
      );
      const output = await paas(['builds:output', '-a', app], { home, cwd: repo });
      expect(output.stdout.split('\n').length, `round ${round}`).toBeLessThan(100_100);
      await noRelease(app, repo);
    }
    // The api's resident memory: before, after one such build, after a second (printed for the report).
    process.stdout.write(`api RSS (kB): before ${rss[0]}, after one build ${rss[1]}, after two ${rss[2]}\n`);
    const [before = 0, one = 0, two = 0] = rss;
    expect(one - before).toBeLessThan(150 * 1024);
    expect(two - one).toBeLessThan(64 * 1024); // flat: the second costs no more
    // Docker stopped the step: no `yes` is left running.
    await eventually(
      async () => !(await run('docker', ['ps', '--no-trunc', '--format', '{{.Command}}'])).stdout.includes('yes '),
      30_000,
      'the build container gone',
    );
  }, 240_000);

  it("holds a build's steps to PAAS_BUILD_MEMORY and PAAS_BUILD_CPUS", async () => {
    const { repo } = await appWith(
      'FROM paas/debian:bookworm\n' +
        `RUN echo ${randomBytes(4).toString('hex')} && cat /sys/fs/cgroup/memory/memory.limit_in_bytes ` +
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max\n',
    );
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
    expect(push.code, push.stderr).toBe(0);
    expect(push.stderr).toMatch(/remote: 536870912\s/); // 512 MB
    expect(push.stderr).toMatch(/remote: 50000(\s| 100000)/); // half of each 100 ms period
  }, 120_000);

  it('stops a build that runs past PAAS_BUILD_TIMEOUT', async () => {
    const { app, repo } = await appWith(
      `FROM paas/debian:bookworm\nRUN sleep 300 # ${randomBytes(4).toString('hex')}\n`,
    );
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(
      'remote: -----> Build failed: stopped: the build took longer than the build timeout, 10 s (PAAS_BUILD_TIMEOUT=10)',
    );
    await noRelease(app, repo);
  }, 120_000);

  it('refuses a push larger than PAAS_MAX_PUSH_SIZE', async () => {
    const { app, repo } = await appWith('FROM paas/debian:bookworm\n', { 'blob.bin': randomBytes(3 * 1024 * 1024) });
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(
      'Push refused: it is larger than the push size limit, 2 MB (PAAS_MAX_PUSH_SIZE=2097152).',
    );
    await noRelease(app, repo);
    // The api took nothing: the app's repository has no main.
    const refs = await git(['ls-remote', 'paas'], { cwd: repo, home });
    expect(refs.stdout).not.toContain('refs/heads/main');
  }, 120_000);
});
