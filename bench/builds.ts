/**
 * pnpm bench: builds without a Dockerfile, for examples/node-express (Express, npm lockfile):
 *   - first push: `git push paas main` of a new app (its dependency layer is not cached: the
 *     cache is keyed by app), until git exits (build, release, roll-out started);
 *   - second push: one source file changed (server.js), the same app;
 *   - hand-written: `docker build --no-cache` of the same files with the Dockerfile one would
 *     write by hand for it (npm ci --omit=dev in its own layer, then the code).
 * The median of BENCH_BUILD_RUNS (default 3) rounds, the order of push and docker build
 * alternating between rounds. Targets: second ≤ 1/3 of first; first ≤ 1.2 × hand-written.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { appName, commitAll, git, loggedInHome, makeRepo, paas, startPlatform, tempDir } from '@paas/testkit';
import { table } from './table.js';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_BUILD_RUNS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const timed = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

const HAND_WRITTEN = `FROM paas/node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
COPY . .
ENV NODE_ENV=production
USER 10001:10001
CMD ["node", "server.js"]
`;

async function main(): Promise<void> {
  const platform = await startPlatform({ agents: 1 });
  const tag = `paas/bench-hand-${Math.random().toString(36).slice(2, 8)}`;
  const first: number[] = [];
  const second: number[] = [];
  const hand: number[] = [];
  try {
    const home = await loggedInHome(platform);
    for (let round = 0; round < RUNS; round++) {
      const app = appName('bench-build');
      const repo = await makeRepo(home, { example: 'node-express' });
      const created = await paas(['apps:create', app], { home, cwd: repo });
      if (created.code !== 0) throw new Error(created.stderr);
      const push = async () => {
        const r = await git(['push', 'paas', 'main'], { cwd: repo, home });
        if (r.code !== 0) throw new Error(r.stderr);
      };
      const handBuild = async () => {
        const ctx = tempDir('bench-hand-');
        fs.cpSync(repo, ctx, { recursive: true, filter: (src) => !src.includes(`${path.sep}.git`) });
        fs.writeFileSync(path.join(ctx, 'Dockerfile'), HAND_WRITTEN);
        const ms = await timed(() =>
          run('docker', ['build', '-q', '--no-cache', '--label', 'paas.bench=1', '-t', tag, ctx], {
            maxBuffer: 1 << 24,
          }),
        );
        fs.rmSync(ctx, { recursive: true, force: true });
        return ms;
      };
      if (round % 2 === 0) {
        first.push(await timed(push));
        hand.push(await handBuild());
      } else {
        hand.push(await handBuild());
        first.push(await timed(push));
      }
      const server = path.join(repo, 'server.js');
      fs.writeFileSync(server, fs.readFileSync(server, 'utf8').replace("'hello'", `'hello ${round}'`));
      await commitAll(repo, home, 'one source file changed');
      second.push(await timed(push));
    }
  } finally {
    await platform.removeContainers();
    await platform.stop();
    await run('docker', ['rmi', '-f', tag]).catch(() => {});
    const { stdout } = await run('docker', ['images', '-q', '--filter', `label=paas.platform=${platform.platformId}`]);
    const ids = [...new Set(stdout.split('\n').filter(Boolean))];
    if (ids.length) await run('docker', ['rmi', '-f', ...ids]).catch(() => {});
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const [f, n, h] = [median(first), median(second), median(hand)];
  const cores = (await run('nproc')).stdout.trim();
  process.stdout.write(
    table(
      `builds without a Dockerfile: examples/node-express, median of ${RUNS} (${new Date().toISOString()}, ${cores} cores)`,
      ['build', 'median (s)', 'each run (s)', 'ratio', 'target'],
      [
        ['first push (git push → exit)', s(f), first.map(s).join(' '), '', ''],
        ['second push, one file changed', s(n), second.map(s).join(' '), `${(n / f).toFixed(2)} of first`, '≤ 0.33'],
        [
          'hand-written Dockerfile, docker build',
          s(h),
          hand.map(s).join(' '),
          `first / this = ${(f / h).toFixed(2)}`,
          '≤ 1.20',
        ],
      ],
    ),
  );
}

await main();
