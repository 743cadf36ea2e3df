/**
 * pnpm bench, router part. Side by side in one run, with wrk on loopback:
 *  1. throughput, latency and CPU per request to one web process directly, through our router
 *     (HAProxy run by the agent; with router log lines, and on a second agent with them off),
 *     and through nginx (Debian's, set up here as a plain keep-alive reverse proxy to the same
 *     process);
 *  2. zero downtime: wrk (keep-alive, and a new connection per request) through the router
 *     while the app is redeployed by config:set, rolled back, scaled up and down and restarted.
 * Needs wrk and nginx (installed from Debian's packages if missing, as root).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { deployRouted, eventually, freePort, loggedInHome, routerGet, startPlatform, tempDir } from '@paas/testkit';
import { table } from './table.js';

const run = promisify(execFile);
const DURATION = process.env.BENCH_SECONDS ?? '10';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const SERVER =
  "require('node:http').createServer((_q, s) => s.end('hello from ' + process.env.DYNO + ' ' + process.env.PAAS_RELEASE + '\\n')).listen(process.env.PORT);\nprocess.on('SIGTERM', () => process.exit(0));\n";

function ensureTools(): void {
  const missing = ['wrk', 'nginx'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length === 0) return;
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'wrk', 'nginx-light'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error(`could not install ${missing.join(', ')}`);
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  requests: number;
}

function ms(text: string | undefined): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text ?? '');
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

function parseWrk(out: string): WrkResult {
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: ms(/ 50%\s+(\S+)/.exec(out)?.[1]),
    p99: ms(/ 99%\s+(\S+)/.exec(out)?.[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    errors: errors ? errors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
  };
}

async function wrk(url: string, host: string, extra: string[] = []): Promise<WrkResult> {
  const { stdout } = await run('wrk', [
    '-t1',
    '-c32',
    `-d${DURATION}s`,
    '--latency',
    '-H',
    `Host: ${host}`,
    ...extra,
    url,
  ]);
  return parseWrk(stdout);
}

/** CPU time (user + system, ms) of these processes and their children so far, from /proc. */
function cpuMs(pids: number[]): number {
  let ticks = 0;
  const all = new Set<number>();
  for (const pid of pids) {
    all.add(pid);
    try {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')) {
        if (c) all.add(Number(c));
      }
    } catch {}
  }
  for (const pid of all) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** wrk against a url, with the CPU each group of processes spent per request (µs). */
async function measure(url: string, host: string, groups: number[][]): Promise<WrkResult & { cpu: number[] }> {
  const before = groups.map(cpuMs);
  const r = await wrk(url, host);
  const cpu = groups.map((g, i) => ((cpuMs(g) - (before[i] ?? 0)) * 1000) / Math.max(1, r.requests));
  return { ...r, cpu };
}

async function main(): Promise<void> {
  ensureTools();
  const platform = await startPlatform();
  const agent = await platform.startAgent('bench-agent', { LOG_LEVEL: process.env.BENCH_AGENT_LOG_LEVEL ?? 'info' });
  // The same routes on a second agent whose HAProxy logs nothing: what router lines cost.
  const quiet = await platform.startAgent('bench-quiet', { PAAS_ROUTER_LOG_LINES: 'off' });
  const home = await loggedInHome(platform);
  const nginxDir = tempDir('paas-nginx-');
  let nginx: ReturnType<typeof spawn> | undefined;
  try {
    const { app, host, cli } = await deployRouted(home, agent, 'rbench', { 'server.js': SERVER }, 60_000);
    const [dyno] = (await platform.api<{ endpoint: { port: number } }[]>('GET', `/apps/${app}/dynos`)).body;
    const direct = dyno?.endpoint?.port ?? 0;

    const nginxPort = await freePort();
    fs.writeFileSync(
      path.join(nginxDir, 'nginx.conf'),
      `daemon off; worker_processes 1; pid ${nginxDir}/nginx.pid; error_log ${nginxDir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream app { server 127.0.0.1:${direct}; keepalive 64; }
  server {
    listen 127.0.0.1:${nginxPort};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; }
  }
}
`,
    );
    nginx = spawn('nginx', ['-p', nginxDir, '-c', path.join(nginxDir, 'nginx.conf')], { stdio: 'ignore' });
    await eventually(async () => (await routerGet(nginxPort, host)).status === 200, 10_000, 'nginx up');

    await eventually(async () => (await routerGet(quiet.routerPort, host)).status === 200, 20_000, 'quiet router');
    const haproxy = (a: typeof agent) => [a.haproxyPid() ?? 0];
    const nginxPid = nginx.pid ?? 0;
    type Measured = WrkResult & { cpu: number[] };
    const paths: [string, () => Promise<Measured>][] = [
      ['direct to the process', () => measure(`http://127.0.0.1:${direct}/`, host, [])],
      [
        'paas router (HAProxy), router lines on',
        () =>
          measure(`http://127.0.0.1:${agent.routerPort}/`, host, [
            haproxy(agent),
            [agent.process.pid ?? 0],
            [platform.process.pid ?? 0],
          ]),
      ],
      [
        'paas router (HAProxy), router lines off',
        () =>
          measure(`http://127.0.0.1:${quiet.routerPort}/`, host, [
            haproxy(quiet),
            [quiet.process.pid ?? 0],
            [platform.process.pid ?? 0],
          ]),
      ],
      ['nginx (1 worker, keepalive)', () => measure(`http://127.0.0.1:${nginxPort}/`, host, [[nginxPid]])],
    ];
    // Rounds, each path once a round, and the median round of each: others share this machine,
    // and a burst of their work in one path's 10 s would decide a single run.
    const runs = paths.map((): Measured[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, go]] of paths.entries()) runs[i]?.push(await go());
    }
    const median = (rs: Measured[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)] as Measured;
    const results = paths.map(([name], i) => [name, median(runs[i] ?? [])] as const);
    const spread = paths.map(([name], i) => `${name}: ${(runs[i] ?? []).map((r) => r.rps.toFixed(0)).join(', ')}`);
    const ng = results[3]?.[1];
    const us = (n: number | undefined) => (n === undefined ? '' : n.toFixed(0));
    process.stdout.write(
      table(
        `router throughput (wrk -t1 -c32 -d${DURATION}s, keep-alive; median of ${ROUNDS} rounds); CPU µs per request`,
        [
          'path',
          'req/s',
          'p50 ms',
          'p99 ms',
          'errors',
          'proxy CPU',
          'agent CPU',
          'api CPU',
          'vs nginx req/s',
          'vs nginx p99',
        ],
        results.map(([name, r], i) => [
          name,
          r.rps.toFixed(0),
          r.p50.toFixed(2),
          r.p99.toFixed(2),
          String(r.errors + r.non2xx),
          us(r.cpu[0]),
          us(r.cpu[1]),
          us(r.cpu[2]),
          ng && i > 0 ? `${(r.rps / ng.rps).toFixed(2)}x` : '',
          ng && i > 0 ? `${(r.p99 / ng.p99).toFixed(2)}x` : '',
        ]),
      ),
    );
    process.stdout.write(`req/s of each round: ${spread.join('; ')}\n`);
    // Each round's paths ran within a minute of each other: the ratio of a round is less at the
    // mercy of what else this machine does than the ratio of medians.
    const ratios = (i: number) => {
      const rs = (runs[i] ?? []).map((r, k) => r.rps / (runs[3]?.[k]?.rps ?? Number.NaN));
      const p99 = (runs[i] ?? []).map((r, k) => r.p99 / (runs[3]?.[k]?.p99 ?? Number.NaN));
      const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
      return `${paths[i]?.[0]}: req/s ${rs.map((x) => x.toFixed(2)).join(', ')} (median ${mid(rs).toFixed(2)}x); p99 ${p99.map((x) => x.toFixed(2)).join(', ')} (median ${mid(p99).toFixed(2)}x)`;
    };
    process.stdout.write(`vs nginx in the same round: ${ratios(1)}; ${ratios(2)}\n`);
    process.stdout.write('targets: paas router >= 0.9x nginx req/s, p99 <= 1.2x nginx\n');

    // Zero downtime under wrk load: keep-alive and a new connection per request, side by side.
    const routerUrl = `http://127.0.0.1:${agent.routerPort}/`;
    const seconds = 45;
    const load = (extra: string[]) =>
      run('wrk', ['-t1', '-c8', `-d${seconds}s`, '-H', `Host: ${host}`, ...extra, routerUrl]).then((r) =>
        parseWrk(r.stdout),
      );
    const loads = Promise.all([load([]), load(['-H', 'Connection: close'])]);
    const steps: [string, () => Promise<unknown>][] = [
      ['config:set', () => cli('config:set', 'BENCH=1')],
      ['rollback', () => cli('rollback', 'v1')],
      ['ps:scale web=3', () => cli('ps:scale', 'web=3')],
      ['ps:scale web=1', () => cli('ps:scale', 'web=1')],
      ['ps:restart', () => cli('ps:restart')],
    ];
    await new Promise((r) => setTimeout(r, 3000));
    for (const [, step] of steps) {
      await step();
      await new Promise((r) => setTimeout(r, 6000));
    }
    const [keep, close] = await loads;
    process.stdout.write(
      table(
        `zero downtime through the router (wrk -c8 for ${seconds} s during: ${steps.map(([n]) => n).join(', ')})`,
        ['connections', 'requests', 'req/s', 'non-2xx', 'socket errors'],
        [
          ['keep-alive', String(keep.requests), keep.rps.toFixed(0), String(keep.non2xx), String(keep.errors)],
          ['new per request', String(close.requests), close.rps.toFixed(0), String(close.non2xx), String(close.errors)],
        ],
      ),
    );
  } finally {
    nginx?.kill('SIGTERM');
    await platform.removeContainers(); // the agents' HAProxy too
    await platform.stop();
  }
}

await main();
