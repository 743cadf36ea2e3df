/**
 * pnpm bench: a one-off's round trip. `paas run -- true` (the real CLI as a user runs it,
 * apps/cli/bin/paas: start, one WebSocket to GET /apps/:app/run that asks for the one-off and
 * attaches, the process runs and exits, the CLI exits with its status) beside `docker run
 * --rm --init` of the same image and command, alternating, the median of BENCH_RUNS (default
 * 10) each. To show where the time goes, also the platform's part alone, both ways in
 * (Heroku's POST /apps/:app/dynos then the attach WebSocket, as a client of attach_url does;
 * and paas run's door), `paas help` (the CLI's own start) and `paas run` with the compiled CLI
 * imported directly (tsc's dist/, as `pnpm build` makes it; bin/paas runs that too once it
 * is fresher than the sources, as it is here after the bench's own build).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import {
  appName,
  cleanEnv,
  git,
  HELLO_SERVER,
  loggedInHome,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  startPlatform,
} from '@paas/testkit';
import type WebSocketType from 'ws';
import { table } from './table.js';

// The CLI's WebSocket client (the workspace root has no `ws` of its own).
const WebSocket = createRequire(new URL('../apps/cli/package.json', import.meta.url))('ws') as typeof WebSocketType;

const run = promisify(execFile);
const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const timed = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

async function main(): Promise<void> {
  const platform = await startPlatform({ agents: 1 });
  try {
    const home = await loggedInHome(platform);
    const app = appName('bench-run');
    const repo = await makeRepo(home, { files: { 'server.js': HELLO_SERVER, Dockerfile: NODE_DOCKERFILE } });
    await paas(['apps:create', app], { home, cwd: repo });
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
    if (push.code !== 0) throw new Error(push.stderr);
    const release = (await platform.api<{ image: { id: string } }[]>('GET', `/apps/${app}/releases`)).body[0];
    const image = release?.image?.id ?? '';

    const paasRun = async () => {
      const r = await paas(['run', '-a', app, '--', 'true'], { home, cwd: repo });
      if (r.code !== 0) throw new Error(`paas run: ${r.code} ${r.stderr}`);
    };
    const dockerRun = () => run('docker', ['run', '--rm', '--init', '--label', 'paas.bench=1', image, 'true']);
    /** What `paas run` does after its own start: POST, attach, until the exit status. */
    const apiRun = async () => {
      const dyno = await platform.api<{ attach_url: string }>('POST', `/apps/${app}/dynos`, {
        command: 'true',
        attach: true,
        force_no_tty: true,
      });
      const secret = dyno.body.attach_url.split('/').pop();
      const ws = new WebSocket(`${platform.url.replace(/^http/, 'ws')}/rendezvous`, {
        headers: { 'x-paas-rendezvous': secret ?? '' },
      });
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data, binary) => {
          if (!binary && JSON.parse(String(data)).type === 'exit') resolve();
        });
        ws.on('close', () => resolve());
        ws.on('error', reject);
      });
      ws.close();
    };
    /** The same through paas run's door: one WebSocket that asks for the one-off and attaches. */
    const doorRun = async () => {
      const ws = new WebSocket(`${platform.url.replace(/^http/, 'ws')}/apps/${app}/run`, {
        headers: { authorization: `Bearer ${platform.token}` },
      });
      ws.on('open', () => ws.send(JSON.stringify({ command: 'true', force_no_tty: true })));
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data, binary) => {
          if (!binary && JSON.parse(String(data)).type === 'exit') resolve();
        });
        ws.on('close', () => resolve());
        ws.on('error', reject);
      });
      ws.close();
    };
    // The same CLI compiled (tsc → dist/, as `pnpm build` makes it): no tsx at start.
    await run('pnpm', ['-s', 'exec', 'tsc', '-p', 'packages/shared/tsconfig.build.json'], { cwd: ROOT });
    await run('pnpm', ['-s', 'exec', 'tsc', '-p', 'apps/cli/tsconfig.build.json'], { cwd: ROOT });
    const compiled = `const { main } = await import(${JSON.stringify(`${ROOT}apps/cli/dist/main.js`)}); process.exitCode = await main(process.argv.slice(1));`;
    const compiledRun = async () => {
      await run(process.execPath, ['--input-type=module', '-e', compiled, 'run', '-a', app, '--', 'true'], {
        cwd: repo,
        env: { ...cleanEnv(), HOME: home },
      });
    };
    const cliStart = async () => {
      const r = await paas(['help'], { home });
      if (r.code !== 0) throw new Error(r.stderr);
    };

    await paasRun(); // warm: the CLI's transpile cache, the image's layers
    await compiledRun();
    await dockerRun();
    const samples = {
      paas: [] as number[],
      compiled: [] as number[],
      api: [] as number[],
      door: [] as number[],
      cli: [] as number[],
      docker: [] as number[],
    };
    for (let i = 0; i < RUNS; i++) {
      samples.paas.push(await timed(paasRun));
      samples.docker.push(await timed(dockerRun));
      samples.compiled.push(await timed(compiledRun));
      samples.api.push(await timed(apiRun));
      samples.door.push(await timed(doorRun));
      samples.cli.push(await timed(cliStart));
    }
    const docker = median(samples.docker);
    const row = (what: string, xs: number[]) => [
      what,
      (median(xs) / 1000).toFixed(2),
      (Math.min(...xs) / 1000).toFixed(2),
      (Math.max(...xs) / 1000).toFixed(2),
      (median(xs) / docker).toFixed(2),
    ];
    const cores = (await run('nproc')).stdout.trim();
    process.stdout.write(
      table(
        `one-off round trip, \`true\` (${new Date().toISOString()}, ${cores} cores, ${RUNS} runs each, alternating)`,
        ['what', 'median (s)', 'min (s)', 'max (s)', '÷ docker run'],
        [
          row('paas run -- true (the CLI, end to end)', samples.paas),
          row('paas run -- true, the CLI compiled (dist/, no tsx)', samples.compiled),
          row('POST /dynos + attach until exit (no CLI)', samples.api),
          row('GET /apps/:app/run WebSocket until exit (no CLI)', samples.door),
          row('paas help (the CLI starting, for scale)', samples.cli),
          row('docker run --rm --init IMAGE true', samples.docker),
        ],
      ),
    );
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}

await main();
