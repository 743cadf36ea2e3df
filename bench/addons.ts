/**
 * pnpm bench: an add-on's provisioning (issue 13, acceptance 7). `paas addons:create
 * heroku-postgresql` (the real CLI) until its DATABASE_URL accepts a query, beside a plain
 * `docker run` of the same image (paas/postgres:15) until `pg_isready`, alternating, the
 * median of BENCH_RUNS (default 5) each. Also the platform's part alone (the POST, answered
 * once provisioned and attached, then the query) and the CLI's own start (`paas help`). The
 * CLI is compiled first (tsc → dist/, as `pnpm build` and `pnpm start` make it), which
 * `apps/cli/bin/paas` then runs instead of the sources under tsx.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { AddonResponse } from '@paas/shared';
import { appName, loggedInHome, paas, startPlatform } from '@paas/testkit';
import { table } from './table.js';

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const timed = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

async function main(): Promise<void> {
  await run('pnpm', ['-s', 'exec', 'tsc', '-p', 'packages/shared/tsconfig.build.json'], { cwd: ROOT });
  await run('pnpm', ['-s', 'exec', 'tsc', '-p', 'apps/cli/tsconfig.build.json'], { cwd: ROOT });
  const platform = await startPlatform({ agents: 1 });
  try {
    const home = await loggedInHome(platform);
    const app = appName('bench-pg');
    if ((await paas(['apps:create', app], { home })).code !== 0) throw new Error('apps:create failed');

    /** A query through the app's DATABASE_URL, from the add-on's network (psql in its container). */
    const query = async () => {
      const url = (await platform.api<Record<string, string>>('GET', `/apps/${app}/config-vars`)).body.DATABASE_URL;
      const [addon] = (await platform.api<AddonResponse[]>('GET', `/apps/${app}/addons`)).body;
      const { stdout } = await run('docker', [
        'ps',
        '-q',
        '--filter',
        `label=paas.platform=${platform.platformId}`,
        '--filter',
        `label=paas.service=${addon?.id}`,
      ]);
      for (;;) {
        try {
          await run('docker', ['exec', stdout.trim(), 'psql', url ?? '', '-Atc', 'select 1']);
          return addon;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const destroy = async (addon: AddonResponse | undefined) => {
      const gone = await paas(['addons:destroy', addon?.name ?? '', '-a', app, '--confirm', app], { home });
      if (gone.code !== 0) throw new Error(gone.stderr);
    };
    const viaCli = async () => {
      const created = await paas(['addons:create', 'heroku-postgresql', '-a', app], { home });
      if (created.code !== 0) throw new Error(created.stderr);
      return query();
    };
    const viaApi = async () => {
      const created = await platform.api('POST', `/apps/${app}/addons`, { plan: { name: 'heroku-postgresql' } });
      if (created.status !== 201) throw new Error(JSON.stringify(created.body));
      return query();
    };
    const dockerRun = async () => {
      const name = `paas-bench-pg-${randomBytes(3).toString('hex')}`;
      const env = ['-e', 'POSTGRES_USER=u', '-e', 'POSTGRES_PASSWORD=p', '-e', 'POSTGRES_DB=d'];
      const t = await timed(async () => {
        await run('docker', [
          'run',
          '-d',
          '--init',
          '--name',
          name,
          '--label',
          'paas.bench=1',
          ...env,
          'paas/postgres:15',
        ]);
        for (;;) {
          try {
            await run('docker', ['exec', name, 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'u', '-d', 'd']);
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      });
      await run('docker', ['rm', '-f', '-v', name]);
      return t;
    };

    const times = { cli: [] as number[], api: [] as number[], docker: [] as number[], help: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      times.docker.push(await dockerRun());
      let addon: AddonResponse | undefined;
      times.cli.push(await timed(async () => (addon = await viaCli())));
      await destroy(addon);
      times.api.push(await timed(async () => (addon = await viaApi())));
      await destroy(addon);
      times.help.push(await timed(() => paas(['help'], { home })));
    }
    const base = median(times.docker);
    const row = (what: string, xs: number[]) => [
      what,
      `${Math.round(median(xs))} ms`,
      `${(median(xs) / base).toFixed(2)}×`,
    ];
    process.stdout.write(
      table(
        `Add-on provisioning: PostgreSQL 15 until it answers a query (median of ${RUNS})`,
        ['what', 'time', 'vs docker run'],
        [
          row('docker run paas/postgres:15 until pg_isready', times.docker),
          row('paas addons:create heroku-postgresql until DATABASE_URL answers', times.cli),
          row('  the platform alone: POST /apps/:app/addons until DATABASE_URL answers', times.api),
          row('  the CLI’s own start: paas help', times.help),
        ],
      ),
    );
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}

await main();
