/**
 * pnpm bench: how fast the api starts and how much memory it holds when idle, run the way
 * operators run it (compiled JavaScript from `pnpm build`, as `pnpm start` and the systemd
 * unit do) beside the way the tests run it (TypeScript sources under tsx).
 *
 * ready: spawn → first 200 from /healthz, with an empty (migrated) store; idle RSS: the api's
 * resident memory 2 s after it is ready, with nothing connected. Median of RUNS starts each.
 * Targets: ready < 1 s, idle < 150 MB.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { admin, freePort, ROOT, tempDir } from '@paas/testkit';
import { table } from './table.js';

const RUNS = Number(process.env.BENCH_API_RUNS ?? 5);
const IDLE_MS = 2000;
const TSX = path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs');

const MODES: { name: string; args: string[] }[] = [
  { name: 'compiled (node apps/api/dist/main.js)', args: [path.join(ROOT, 'apps/api/dist/main.js')] },
  {
    name: 'tsx (node --import tsx apps/api/src/main.ts)',
    args: ['--conditions=development', '--import', TSX, path.join(ROOT, 'apps/api/src/main.ts')],
  },
];

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** One start: fresh migrated store, spawn, poll /healthz every 5 ms; then idle RSS. */
async function start(args: string[]): Promise<{ readyMs: number; rss: number }> {
  const dataDir = tempDir('paas-data-');
  let child: ChildProcess | undefined;
  try {
    await admin(dataDir, 'migrate');
    const port = await freePort();
    const agentPort = await freePort();
    const url = `http://127.0.0.1:${port}/healthz`;
    const started = performance.now();
    child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        PAAS_DATA_DIR: dataDir,
        PAAS_API_TOKEN: 'bench-token-0123456789',
        PAAS_AGENT_PORT: String(agentPort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    while (!(await healthy(url))) {
      if (child.exitCode !== null) throw new Error(`api exited with ${child.exitCode}: ${stderr}`);
      if (performance.now() - started > 30_000) throw new Error(`api not healthy within 30 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const readyMs = performance.now() - started;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rss = rssMb(child.pid ?? 0);
    return { readyMs, rss };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function main(): Promise<void> {
  // dist/ as `pnpm start` would run it (turbo: a no-op when up to date).
  const build = spawnSync(path.join(ROOT, 'node_modules/.bin/turbo'), ['run', 'build', '--output-logs=errors-only'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) throw new Error('pnpm build failed');

  const rows: string[][] = [];
  for (const mode of MODES) {
    await start(mode.args); // a warm-up start, not counted (fills the OS file cache, tsx's cache)
    const results = [];
    for (let i = 0; i < RUNS; i++) results.push(await start(mode.args));
    const ready = results.map((r) => r.readyMs);
    const rss = results.map((r) => r.rss);
    rows.push([
      mode.name,
      median(ready).toFixed(0),
      `${Math.min(...ready).toFixed(0)}–${Math.max(...ready).toFixed(0)}`,
      median(rss).toFixed(0),
      `${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)}`,
    ]);
  }
  process.stdout.write(
    table(
      `api start, empty store (median of ${RUNS}; targets: ready < 1000 ms, idle RSS < 150 MB)`,
      [
        'how it runs',
        'spawn → /healthz 200 (ms)',
        'min–max (ms)',
        `idle RSS ${IDLE_MS / 1000} s after (MB)`,
        'min–max (MB)',
      ],
      rows,
    ),
  );
}

await main();
