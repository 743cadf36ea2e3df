/**
 * The log router end to end: a pushed app's web and worker output, the platform's events and
 * the router's lines reach `paas logs --tail` live and in order; --ps, --source and --num
 * filter; history survives an api restart.
 */
import { deployRouted, eventually, loggedInHome, paas, paasStream, routerGet, run, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';
import WebSocket from 'ws';

const SERVER = `const http = require('node:http');
http.createServer((req, res) => { console.log('served ' + req.url); res.end('ok'); })
  .listen(process.env.PORT, () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => { console.log('web got SIGTERM'); process.exit(0); });
`;
// The worker counts on stdout and warns on stderr; one partial write per line, in two pieces.
const WORKER = `let n = 0;
setInterval(() => {
  n++;
  process.stdout.write('worker tick ');
  setTimeout(() => process.stdout.write(n + '\\n'), 5);
  if (n % 5 === 0) console.error('worker warning ' + n);
}, 100);
process.on('SIGTERM', () => process.exit(0));
`;

const LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00 (app|paas)\[([\w.-]+)\]: (.*)$/;

it('streams every process, platform event and request to logs --tail, with filters and history', async () => {
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, host, cli } = await deployRouted(
      home,
      agent,
      'logs',
      { 'server.js': SERVER, 'worker.js': WORKER, Procfile: 'web: node server.js\nworker: node worker.js\n' },
      60_000,
    );
    expect((await cli('ps:scale', 'worker=1')).code).toBe(0);

    const tail = paasStream(['logs', '--tail', '-a', app], { home });
    try {
      await tail.waitFor(/app\[worker\.1\]: worker tick \d+$/, 30_000);
      expect((await routerGet(agent.routerPort, host, { path: '/hello?x=1' })).status).toBe(200);
      await tail.waitFor(/app\[web\.1\]: served \/hello\?x=1$/);
      await tail.waitFor(
        /paas\[router\]: at=info method=GET path="\/hello\?x=1" host=\S+ request_id=\S+ .*dyno=web\.1 connect=\d+ms service=\d+ms status=200 bytes=2 protocol=http$/,
      );
      await tail.waitFor(/app\[worker\.1\]: worker warning \d+$/);

      expect((await cli('ps:scale', 'web=2')).code).toBe(0);
      await tail.waitFor(/paas\[api\]: Scaled to web@2:\S+ worker@1:\S+ by user \S+$/);
      await tail.waitFor(/paas\[web\.2\]: Starting process with command `node server\.js`$/);
      await tail.waitFor(/paas\[web\.2\]: State changed from starting to up$/, 30_000);
      expect((await cli('ps:restart', 'web.1')).code).toBe(0);
      await tail.waitFor(/paas\[api\]: Restart web\.1 by user \S+$/);
      await tail.waitFor(/paas\[web\.1\]: Stopping process with SIGTERM$/, 30_000);
      await tail.waitFor(/app\[web\.1\]: web got SIGTERM$/, 30_000);
      await tail.waitFor(/paas\[web\.1\]: Process exited with status 0$/, 30_000);
    } finally {
      await tail.stop();
    }
    const lines = tail.lines().map((l) => l.line);
    expect(lines.filter((l) => !LINE.test(l))).toEqual([]);
    // The worker's lines come in order, whole (its two-piece writes are one line each).
    const ticks = lines.flatMap((l) => /app\[worker\.1\]: worker tick (\d+)$/.exec(l)?.[1] ?? []).map(Number);
    expect(ticks.length).toBeGreaterThan(5);
    expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
    expect(new Set(ticks).size).toBe(ticks.length);

    // Filters.
    const worker = await cli('logs', '--ps', 'worker', '-n', '5');
    expect(worker.code, worker.stderr).toBe(0);
    const workerLines = worker.stdout.trim().split('\n');
    expect(workerLines).toHaveLength(5);
    for (const l of workerLines) expect(l).toMatch(/ app\[worker\.1\]: /);
    const web1 = (await cli('logs', '-p', 'web.1', '-n', '50')).stdout.trim().split('\n');
    for (const l of web1) expect(l).toMatch(/ (app|paas)\[web\.1\]: /);
    const platformOnly = (await cli('logs', '--source', 'paas', '-n', '200')).stdout.trim().split('\n');
    expect(platformOnly.length).toBeGreaterThan(5);
    for (const l of platformOnly) expect(l).toMatch(/ paas\[/);
    expect(platformOnly.some((l) => /paas\[api\]: Build succeeded$/.test(l))).toBe(true);
    expect(platformOnly.some((l) => /paas\[api\]: Release v1 created by user \S+: Deploy \w+$/.test(l))).toBe(true);
    const appOnly = (await cli('logs', '-s', 'app', '-n', '30')).stdout.trim().split('\n');
    for (const l of appOnly) expect(l).toMatch(/ app\[/);
    const json = (await cli('logs', '-n', '3', '--json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(json).toHaveLength(3);
    expect(Object.keys(json[0]).sort()).toEqual(['app', 'id', 'line', 'process', 'source', 'ts']);

    // The WebSocket form: JSON lines, the last `num` first, then live ones.
    const ws = new WebSocket(`${platform.url.replace(/^http/, 'ws')}/apps/${app}/log-stream?num=3&ps=router`, {
      headers: { authorization: `Bearer ${platform.token}` },
    });
    const received: { process: string; line: string; id: number }[] = [];
    ws.on('message', (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await eventually(async () => received.length >= 3, 10_000, 'three lines of history over the WebSocket');
    expect((await routerGet(agent.routerPort, host, { path: '/over-ws' })).status).toBe(200);
    await eventually(async () => received.some((e) => /path="\/over-ws"/.test(e.line)), 10_000, 'a live line');
    expect(received.every((e) => e.process === 'router')).toBe(true);
    expect(received.map((e) => e.id)).toEqual([...received.map((e) => e.id)].sort((a, b) => a - b));
    ws.close();
    // Without credentials the upgrade is refused with 401 (not some other failure).
    const refused = new WebSocket(`${platform.url.replace(/^http/, 'ws')}/apps/${app}/log-stream`);
    const refusal = await new Promise<number | string>((resolve) => {
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.once('open', () => resolve('opened'));
      refused.once('error', (err) => resolve(String(err)));
    });
    refused.terminate();
    expect(refusal).toBe(401);

    // Bad input: clear messages.
    const tooMany = await cli('logs', '-n', '2000');
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toMatch(/lines/);
    expect((await cli('logs', '-n', 'lots')).stderr).toMatch(/--num lots: expected a whole number/);
    expect((await cli('logs', '-s', 'kernel')).code).not.toBe(0);

    // History survives an api restart: the lines from before are all still there, in order.
    const before = (await cli('logs', '-n', '20', '--source', 'paas')).stdout.trim().split('\n');
    expect(before).toHaveLength(20);
    await platform.restart();
    const after = await eventually(async () => {
      const r = await paas(['logs', '-n', '1500', '--source', 'paas', '-a', app], { home });
      return r.code === 0 ? r.stdout.trim().split('\n') : undefined;
    }, 30_000);
    const start = after.indexOf(before[0] as string);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(after.slice(start, start + before.length)).toEqual(before);

    // The worker went on printing while the api was down: the agent kept its lines and sent
    // them on reconnect, so its ticks have no gap.
    const restartTicks = await eventually(async () => {
      const r = await paas(['logs', '-p', 'worker', '-n', '1500', '-a', app], { home });
      const n = r.stdout
        .split('\n')
        .flatMap((l) => /worker tick (\d+)$/.exec(l)?.[1] ?? [])
        .map(Number);
      return n.length > 0 && (n.at(-1) as number) > (ticks.at(-1) as number) + 30 ? n : undefined;
    }, 30_000);
    const gaps = restartTicks.filter((n, i) => i > 0 && n !== (restartTicks[i - 1] as number) + 1);
    if (gaps.length) {
      // Say what happened around the gap: our log, Docker's, and what the agent and api said.
      const ours = (await paas(['logs', '-n', '1500', '-a', app], { home })).stdout;
      const near = (text: string) =>
        text.split('\n').filter((l) => gaps.some((g) => new RegExp(`tick (${g - 2}|${g - 1}|${g}|${g + 1})$`).test(l)));
      const worker =
        (
          await run('docker', [
            'ps',
            '-aq',
            '--filter',
            `label=paas.app=${app}`,
            '--filter',
            'label=paas.process=worker.1',
          ])
        ).stdout
          .trim()
          .split('\n')[0] ?? '';
      const docker = worker ? (await run('docker', ['logs', '-t', worker])).stdout : '';
      const said = (text: string) => text.split('\n').filter((l) => /"level":(40|50)|ended early|lost the api/.test(l));
      console.log(
        JSON.stringify(
          {
            gaps,
            ours: near(ours),
            docker: near(docker),
            agent: said(agent.logs()),
            api: said(platform.logs()).slice(-20),
          },
          null,
          1,
        ),
      );
    }
    expect(gaps).toEqual([]);
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 240_000);
