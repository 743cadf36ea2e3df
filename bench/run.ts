/**
 * pnpm bench: performance of the platform, each number beside its baseline from the same run.
 *
 * scale-to-up: time from `ps:scale web=N` (API call) until all N processes are reported `up`
 * (answering HTTP on their published port), beside plain `docker run` of the same N
 * containers until each answers HTTP on its published port.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  appName,
  eventually,
  git,
  HELLO_SERVER,
  loggedInHome,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  startPlatform,
} from '@paas/testkit';

const run = promisify(execFile);
const SIZES = (process.env.BENCH_SIZES ?? '1,5,20').split(',').map(Number);

const FILES = {
  'server.js': HELLO_SERVER,
  Dockerfile: NODE_DOCKERFILE,
};

async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    await res.text();
    return true;
  } catch {
    return false;
  }
}

async function dockerRun(image: string, n: number): Promise<number> {
  const started = performance.now();
  const ids = await Promise.all(
    Array.from({ length: n }, async () => {
      const { stdout } = await run('docker', [
        'run',
        '-d',
        '--init',
        '--label',
        'paas.bench=1',
        '-e',
        'PORT=5000',
        '-p',
        '127.0.0.1::5000',
        image,
      ]);
      return stdout.trim();
    }),
  );
  const ports = await Promise.all(
    ids.map(async (id) => Number((await run('docker', ['port', id, '5000/tcp'])).stdout.trim().split(':').pop())),
  );
  await Promise.all(ports.map((port) => eventually(() => answers(port), 60_000, `docker container on ${port}`)));
  const elapsed = performance.now() - started;
  await run('docker', ['rm', '-f', ...ids]);
  return elapsed;
}

async function main(): Promise<void> {
  const platform = await startPlatform({ agents: 1 });
  const home = await loggedInHome(platform);
  const app = appName('bench');
  const repo = await makeRepo(home, { files: FILES });
  await paas(['apps:create', app], { home, cwd: repo });
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
  if (push.code !== 0) throw new Error(push.stderr);
  const release = (await platform.api<{ image: { id: string } }[]>('GET', `/apps/${app}/releases`)).body[0];
  const image = release?.image?.id ?? '';

  type Dyno = { state: string };
  const dynos = async () => (await platform.api<Dyno[]>('GET', `/apps/${app}/dynos`)).body;
  const scale = (n: number) =>
    platform.api('PATCH', `/apps/${app}/formation`, { updates: [{ type: 'web', quantity: n }] });
  const rows: string[][] = [];
  try {
    for (const n of SIZES) {
      await scale(0);
      await eventually(async () => (await dynos()).length === 0, 120_000, 'scaled to 0');
      const t0 = performance.now();
      await scale(n);
      await eventually(
        async () => {
          const list = await dynos();
          return list.length === n && list.every((d) => d.state === 'up');
        },
        180_000,
        `${n} up`,
      );
      const paasMs = performance.now() - t0;
      await scale(0);
      await eventually(async () => (await dynos()).length === 0, 120_000, 'scaled to 0');
      const dockerMs = await dockerRun(image, n);
      rows.push([String(n), (paasMs / 1000).toFixed(2), (dockerMs / 1000).toFixed(2), (paasMs / dockerMs).toFixed(2)]);
    }
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }

  const header = ['N web', 'paas ps:scale → all up (s)', 'docker run → all answering (s)', 'paas / docker'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(
    `\nscale-to-up (${new Date().toISOString()}, ${(await run('nproc')).stdout.trim()} cores)\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`,
  );
}

await main();
