/**
 * pnpm bench, log router part. Side by side in one run, on the same container:
 *  1. an app printing as fast as it can for 10 s: lines/s delivered to `paas logs --tail` and
 *     to `docker logs -f`, and the loss of each (lines printed but never delivered);
 *  2. the same app printing 5,000 lines/s for 10 s: end-to-end latency (the app's timestamp in
 *     each line to the moment the subscriber's output has it), p50 and p99, for both.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { deployRouted, eventually, loggedInHome, paasStream, routerGet, startPlatform } from '@paas/testkit';
import { table } from './table.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_LOG_SECONDS ?? 10);
/** Seconds after printing stops that lines may still arrive and count as delivered. */
const GRACE = 5;

// GET /print?rate=R prints "L <n> <ms since epoch>" lines for SECONDS: R a second (100 per batch),
// or with R=0 as fast as the pipe takes them; then "printed <n> in <ms>".
const SERVER = `const http = require('node:http');
http.createServer((req, res) => {
  res.end('ok');
  const m = /rate=(\\d+)/.exec(req.url);
  if (!m) return;
  const rate = Number(m[1]);
  const started = Date.now();
  const until = started + ${SECONDS} * 1000;
  let n = 0;
  const batch = () => {
    let out = '';
    for (let i = 0; i < 100; i++) out += 'L ' + ++n + ' ' + (performance.timeOrigin + performance.now()).toFixed(3) + '\\n';
    process.stdout.write(out);
  };
  const done = () => console.log('printed ' + n + ' in ' + (Date.now() - started));
  if (rate === 0) {
    const loop = () => { batch(); if (Date.now() < until) setImmediate(loop); else done(); };
    loop();
  } else {
    const t = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (n + 100 <= due) batch();
      if (Date.now() >= until) { clearInterval(t); done(); }
    }, 5);
  }
}).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;

interface Received {
  at: number;
  line: string;
}

/** `docker logs -f` of a container from now on, lines as they arrive. */
function dockerFollow(id: string): { lines: Received[]; child: ChildProcess } {
  const child = spawn('docker', ['logs', '-f', '--since', '0s', '--tail', '0', id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Received[] = [];
  let partial = '';
  child.stdout?.on('data', (c: Buffer) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    const at = Date.now();
    for (const line of parts) lines.push({ at, line });
  });
  return { lines, child };
}

function measure(lines: Received[]) {
  const latencies: number[] = [];
  const seen = new Set<number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const { at, line } of lines) {
    const m = /L (\d+) ([\d.]+)$/.exec(line);
    if (!m) continue;
    seen.add(Number(m[1]));
    latencies.push(at - Number(m[2]));
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    delivered: seen.size,
    /** Lines a second while they arrived. */
    rate: seen.size / Math.max(0.001, (last - first) / 1000),
    p50: pct(50),
    p99: pct(99),
  };
}

async function main(): Promise<void> {
  const platform = await startPlatform();
  const agent = await platform.startAgent('bench-agent', { LOG_LEVEL: 'warn' });
  const home = await loggedInHome(platform);
  try {
    const { app, host } = await deployRouted(home, agent, 'lbench', { 'server.js': SERVER }, 60_000);
    const id = (
      await run('docker', ['ps', '-q', '--filter', `label=paas.app=${app}`, '--filter', 'label=paas.process=web.1'])
    ).stdout.trim();

    const rows: string[][] = [];
    // Fixed rates first: printing as fast as possible leaves docker's own log file far behind.
    for (const rate of (process.env.BENCH_LOG_RATES ?? '5000,20000,30000,0').split(',').map(Number)) {
      const tail = paasStream(['logs', '--tail', '-n', '0', '-p', 'web', '-s', 'app', '-a', app], { home });
      const docker = dockerFollow(id);
      await new Promise((r) => setTimeout(r, 2000));
      await routerGet(agent.routerPort, host, { path: `/print?rate=${rate}` });
      // Lines delivered by the time printing has been over for GRACE seconds count; later is late.
      await new Promise((r) => setTimeout(r, (SECONDS + GRACE) * 1000));
      await tail.stop();
      docker.child.kill();
      const summary = await eventually(
        async () =>
          (await run('docker', ['logs', '--tail', '1', id])).stdout.match(/printed (\d+) in (\d+)/) ?? undefined,
        120_000,
        'the app to finish printing',
      );
      const total = Number(summary[1]);
      const label = rate === 0 ? `as fast as it can: ${Math.round(total / SECONDS)}/s` : `${rate}/s`;
      for (const [name, lines] of [
        ['paas logs --tail', tail.lines()],
        ['docker logs -f', docker.lines],
      ] as const) {
        const m = measure(lines);
        for (const l of lines.filter((x) => /Error L1\d/.test(x.line)).slice(0, 3))
          process.stderr.write(`${name}: ${l.line}\n`);
        const told = lines
          .map((l) => /Error L1\d .*?(\d+) messages dropped/.exec(l.line)?.[1])
          .reduce((sum, n) => sum + Number(n ?? 0), 0);
        rows.push([
          label,
          name,
          String(total),
          String(m.delivered),
          m.rate.toFixed(0),
          String(total - m.delivered),
          String(told),
          m.p50.toFixed(0),
          m.p99.toFixed(0),
        ]);
      }
    }
    process.stdout.write(
      table(
        `log router (${SECONDS} s of output from one web process; delivered = within ${GRACE} s after printing stopped; latency = app's timestamp to the subscriber's output)`,
        [
          'printing',
          'subscriber',
          'printed',
          'delivered',
          'lines/s',
          'not delivered',
          'told dropped',
          'p50 ms',
          'p99 ms',
        ],
        rows,
      ),
    );
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}

await main();
