/**
 * Agents run the release, against the real Docker engine: scale, graceful stops, crash
 * back-off, rolling releases. Driven through the real CLI and API of a real platform.
 */
import { spawn } from 'node:child_process';
import { backoffDelay } from '@paas/shared';
import {
  appName,
  eventually,
  git,
  inspectContainer,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  processContainer,
  run,
  usePlatform,
  watchProcessEvents,
} from '@paas/testkit';
import { describe, expect, it, onTestFailed, onTestFinished } from 'vitest';

interface Dyno {
  name: string;
  type: string;
  state: string;
  agent: string;
  exit_code: number | null;
  release: { version: number };
  endpoint: { host: string; port: number } | null;
  id: string;
}

const SERVER = `const http = require('node:http');
const server = http.createServer((_req, res) => res.end(JSON.stringify({ dyno: process.env.DYNO, release: process.env.PAAS_RELEASE, greeting: process.env.GREETING || null })));
server.listen(process.env.PORT, () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => { console.log('SIGTERM received by ' + process.env.DYNO); server.close(() => process.exit(0)); });
`;
const FILES = {
  'server.js': SERVER,
  'worker.js': `const t = setInterval(() => {}, 1000); process.on('SIGTERM', () => { console.log('worker got SIGTERM'); clearInterval(t); });\n`,
  'stubborn.js': `setInterval(() => {}, 1000); process.on('SIGTERM', () => console.log('ignoring SIGTERM at ' + Date.now()));\n`,
  Dockerfile: NODE_DOCKERFILE,
  Procfile:
    'web: node server.js\nworker: node worker.js\nstubborn: node stubborn.js\ncrasher: echo "crashing at $(date +%s%3N)"; exit 1\n',
};

const t = usePlatform({ env: { PAAS_AGENT_TIMEOUT: '4' } });

async function deployApp(prefix: string) {
  const app = appName(prefix);
  const repo = await makeRepo(t.home, { files: FILES });
  expect((await paas(['apps:create', app], { home: t.home, cwd: repo })).code).toBe(0);
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home: t.home });
  expect(push.code, push.stderr).toBe(0);
  return { app, repo, cli: (...args: string[]) => paas([...args, '-a', app], { home: t.home, cwd: repo }) };
}

const dynosOf = async (app: string) => (await t.platform.api<Dyno[]>('GET', `/apps/${app}/dynos`)).body;
const containersOf = async (app: string) =>
  (
    await run('docker', [
      'ps',
      '-q',
      '--no-trunc',
      '--filter',
      `label=paas.platform=${t.platform.platformId}`,
      '--filter',
      `label=paas.app=${app}`,
    ])
  ).stdout
    .split('\n')
    .filter(Boolean);
const labelOf = async (id: string, label: string) =>
  (await run('docker', ['inspect', '-f', `{{ index .Config.Labels "${label}" }}`, id])).stdout.trim();
const allUp = (n: number) => async (app: string) => {
  const dynos = await dynosOf(app);
  return dynos.length === n && dynos.every((d) => d.state === 'up') ? dynos : undefined;
};
const get = async (d: Dyno) =>
  (await fetch(`http://127.0.0.1:${d.endpoint?.port}/`)).json() as Promise<Record<string, string>>;

/** Follows a container's output (docker attach) until it exits. */
function follow(id: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['attach', '--no-stdin', '--sig-proxy=false', id]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('close', () => resolve(out));
  });
}

describe('agents run the release', () => {
  it('runs web.1 on deploy, and scales to 5 and back to 1', async () => {
    const { app, cli } = await deployApp('scale');
    const [web] = await eventually(() => allUp(1)(app), 30_000, 'web.1 up');
    expect(web).toMatchObject({ name: 'web.1', type: 'web', release: { version: 1 } });
    expect(await get(web as Dyno)).toEqual({ dyno: 'web.1', release: 'v1', greeting: null });
    expect(web?.endpoint?.host).toBe('127.0.0.1');

    const started = Date.now();
    expect((await cli('ps:scale', 'web=3', 'worker=2')).code).toBe(0);
    // How fast is the bench's to say (bench/swarm.ts: ps:scale web=20); here only that they come up (6–7 s in CI).
    await eventually(async () => (await containersOf(app)).length === 5, 30_000, '5 containers');
    const dynos = await eventually(() => allUp(5)(app), 30_000, '5 up');
    const took = Date.now() - started;
    console.log(`ps:scale web=3 worker=2: 5 containers up ${(took / 1000).toFixed(2)} s after the command`);
    expect(dynos.map((d) => d.name)).toEqual(['web.1', 'web.2', 'web.3', 'worker.1', 'worker.2']);
    for (const id of await containersOf(app)) {
      expect(await labelOf(id, 'paas.app')).toBe(app);
      expect(await labelOf(id, 'paas.release')).toBe('1');
    }
    const ps = await cli('ps');
    expect(ps.stdout).toMatch(/=== web \(Basic\): node server\.js \(3\)/);
    expect(ps.stdout.match(/ up /g)).toHaveLength(5);
    const json = JSON.parse((await cli('ps', '--json')).stdout) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({
      name: 'web.1',
      type: 'web',
      state: 'up',
      command: 'node server.js',
      release: { version: 1 },
    });
    expect(json[0]).toHaveProperty('updated_at');

    expect((await cli('ps:scale', 'web=1', 'worker=0')).code).toBe(0);
    await eventually(async () => (await containersOf(app)).length === 1, 20_000, 'one container');
    expect((await cli('ps:scale', 'web+1')).stderr).toContain('web at 2');
    const unknown = await cli('ps:scale', 'nope=1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No such process type nope');
    expect(unknown.stderr).toContain('web, worker, stubborn, crasher'.split(', ').sort().join(', '));
    const tooMany = await cli('ps:scale', 'web=101');
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain('between 0 and 100');
  });

  it('stops gracefully: SIGTERM reaches the app; one that ignores it is killed after the grace period', async () => {
    const { app, cli } = await deployApp('sigterm');
    expect((await cli('config:set', 'PAAS_STOP_TIMEOUT=3')).code).toBe(0);
    expect((await cli('ps:scale', 'worker=1', 'stubborn=1')).code).toBe(0);
    const dynos = await eventually(() => allUp(3)(app), 30_000, '3 up');
    const containerOf = async (name: string) => {
      const id = await processContainer(t.platform, app, name);
      if (!id) throw new Error(`no container for ${name}`);
      return id;
    };
    expect(dynos.every((d) => d.release.version === 2)).toBe(true);

    // Restart of web: the new one starts, the old one gets SIGTERM and runs its handler.
    const oldWeb = await containerOf('web.1');
    const webLog = follow(oldWeb);
    expect((await cli('ps:restart', 'web')).code).toBe(0);
    expect(await webLog).toContain('SIGTERM received by web.1');

    const stubborn = await containerOf('stubborn.1');
    const workerLog = follow(await containerOf('worker.1'));
    const stubbornLog = follow(stubborn);
    const t0 = Date.now();
    expect((await cli('ps:scale', 'worker=0', 'stubborn=0')).code).toBe(0);
    expect(await workerLog).toContain('worker got SIGTERM');
    const stubbornOut = await stubbornLog;
    const ended = Date.now();
    // Grace period of 3 s (PAAS_STOP_TIMEOUT) from the SIGTERM, as the process itself saw it,
    // then SIGKILL: the container's end (its FinishedAt; when the attach ended, for one removed).
    const termAt = Number(/ignoring SIGTERM at (\d+)/.exec(stubbornOut)?.[1]);
    expect(termAt).toBeGreaterThan(t0);
    const finished = Date.parse(await inspectContainer(stubborn, '{{.State.FinishedAt}}').catch(() => ''));
    const killedAfter = ((finished > 0 ? finished : ended) - termAt) / 1000;
    expect(killedAfter).toBeGreaterThan(2.5);
    expect(killedAfter).toBeLessThan(6);
    console.log(
      `stubborn process killed ${killedAfter.toFixed(2)} s after its SIGTERM (grace period 3 s), ${((ended - t0) / 1000).toFixed(2)} s after the scale-down`,
    );
  });

  it('shows a crashing process as crashed, restarting with growing gaps', async () => {
    const { app, cli } = await deployApp('crash');
    // When it crashed: Docker's `die` events of its containers (watched live, from before the
    // scale). When it started: the process itself says when it runs, under either runtime
    // ("crashing at <ms>", from the host's clock: Docker's timestamp of the line may come later
    // than the container's end, as the log is copied apart from the exit).
    const deaths = await watchProcessEvents(t.platform, app, 'crasher.1', ['die']);
    onTestFinished(() => deaths.stop());
    // Should it fail: the crasher's lines of the app's log, and its containers.
    onTestFailed(async () => {
      const lines = (await cli('logs', '-n', '300')).stdout.split('\n').filter((l) => l.includes('crasher.1'));
      const ids = (await run('docker', ['ps', '-aq', '--filter', `label=paas.app=${app}`])).stdout.split('\n');
      const format = '{{.Id}} created {{.Created}} started {{.State.StartedAt}} finished {{.State.FinishedAt}}';
      const containers = await run('docker', ['inspect', '-f', format, ...ids.filter(Boolean)]);
      const gates = t.agent
        .logs()
        .split('\n')
        .filter((l) => /task gate|swarm/.test(l));
      console.log(
        `crasher.1's log:\n${lines.join('\n')}\ncontainers:\n${containers.stdout}\nagent:\n${gates.slice(-40).join('\n')}`,
      );
    });
    expect((await cli('ps:scale', 'web=0', 'crasher=1')).code).toBe(0);
    const crashed = await eventually(
      async () => (await dynosOf(app)).find((d) => d.name === 'crasher.1' && d.state === 'crashed'),
      20_000,
      'crashed',
    );
    expect(crashed.exit_code).toBe(1);
    // `ps` shows it crashed while it waits for its next restart (the waits grow).
    const ps = await eventually(
      async () => {
        const out = (await cli('ps')).stdout;
        return /crasher\.1 +crashed \(exit 1\)/.test(out) ? out : undefined;
      },
      20_000,
      'ps showing crashed',
    );
    expect(ps).toMatch(/crasher\.1 +crashed \(exit 1\)/);
    await new Promise((r) => setTimeout(r, 9000));
    deaths.stop();
    const starts = (await cli('logs', '-n', '300', '--json')).stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { ts: string; source: string; process: string; line: string })
      .flatMap((e) => {
        const at = e.source === 'app' && e.process === 'crasher.1' && /^crashing at (\d+)$/.exec(e.line);
        return at ? [{ action: 'start', ms: Number(at[1]) }] : [];
      });
    // When each crash happened: its container's FinishedAt, which the back-off counts from (the
    // `die` event comes up to a few hundred ms after it on a busy engine); the event's time for a
    // container removed since. And when that container itself started (StartedAt).
    const died = await Promise.all(
      deaths.events().map(async (e): Promise<{ action: string; ms: number; containerStarted?: number }> => {
        const times = await inspectContainer(e.id, '{{.State.FinishedAt}} {{.State.StartedAt}}').catch(() => '');
        const [finished, started] = times.split(' ').map((x) => Date.parse(x));
        return { action: 'die', ms: finished && finished > 0 ? finished : e.ms, containerStarted: started };
      }),
    );
    // (A process says its start before it dies: at the same millisecond, the start first.)
    const timeline: { action: string; ms: number; containerStarted?: number }[] = [...died, ...starts].sort(
      (a, b) => a.ms - b.ms || (a.action === 'start' ? -1 : 1),
    );
    // From each crash (die) to the next start: how long it waited, and how late that start came
    // after it could: after the back-off's end, or, on swarm, after Swarm started its container,
    // if later (Swarm takes seconds to start a task on a busy engine; the gate can only hold a
    // process back, not start it sooner).
    const waits: number[] = [];
    const late: number[] = [];
    timeline.forEach((e, i) => {
      const next = timeline[i + 1];
      if (e.action !== 'die' || next?.action !== 'start') return;
      const own = timeline.slice(i + 2).find((x) => x.action === 'die'); // the started process's own end
      waits.push(next.ms - e.ms);
      const earliest = e.ms + backoffDelay(waits.length);
      if (t.platform.runtime !== 'swarm') late.push(next.ms - earliest);
      // (Swarm keeps 5 ended tasks a slot: of an older one removed since, when it started is not known.)
      else if ((own?.containerStarted ?? 0) > 0) late.push(next.ms - Math.max(earliest, own?.containerStarted ?? 0));
      else late.push(Number.NaN);
    });
    const t0 = timeline[0]?.ms ?? 0;
    console.log(
      `crasher starts in ~9 s: ${starts.length}, waits from crash to restart (ms): ${waits.join(', ')}; late by ${late.join(', ')}; timeline: ${timeline.map((e) => `${e.action}@${e.ms - t0}`).join(' ')}`,
    );
    // Immediately, then after 1 s, 2 s, 4 s: a handful of starts, not hundreds.
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(starts.length).toBeLessThanOrEqual(6);
    // Never sooner than the back-off, and not held back past it (start-up costs a few hundred ms).
    // The gap before restart n is backoffDelay(n): 0, 1, 2, 4, 8 s … (a fast run fits a fifth).
    expect(waits.length).toBeGreaterThanOrEqual(2);
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(backoffDelay(i + 1) - 50);
      if (!Number.isNaN(late[i])) expect(late[i]).toBeLessThan(2500);
    });
    await cli('ps:scale', 'crasher=0');
  });

  it('replaces every process on config:set and rollback, web start-first', async () => {
    const { app, cli } = await deployApp('roll');
    expect((await cli('ps:scale', 'web=2', 'worker=1')).code).toBe(0);
    await eventually(() => allUp(3)(app), 30_000, '3 up');

    expect((await cli('config:set', 'GREETING=hi')).stderr).toContain('v2');
    // Start-first: while web rolls over, both web processes stay up, old or new.
    let fewestWebUp = Number.POSITIVE_INFINITY;
    const v2 = await eventually(
      async () => {
        const all = await dynosOf(app);
        fewestWebUp = Math.min(fewestWebUp, all.filter((d) => d.type === 'web' && d.state === 'up').length);
        const dynos = await allUp(3)(app);
        return dynos?.every((d) => d.release.version === 2) && (await containersOf(app)).length === 3
          ? dynos
          : undefined;
      },
      30_000,
      'all on v2',
    );
    expect(fewestWebUp).toBe(2);
    for (const d of v2.filter((x) => x.type === 'web'))
      expect(await get(d)).toMatchObject({ greeting: 'hi', release: 'v2' });
    for (const id of await containersOf(app)) expect(await labelOf(id, 'paas.release')).toBe('2');

    expect((await cli('rollback', 'v1')).stderr).toContain('done, v3');
    const v3 = await eventually(
      async () => {
        const dynos = await allUp(3)(app);
        return dynos?.every((d) => d.release.version === 3) && (await containersOf(app)).length === 3
          ? dynos
          : undefined;
      },
      30_000,
      'all on v3',
    );
    for (const d of v3.filter((x) => x.type === 'web'))
      expect(await get(d)).toMatchObject({ greeting: null, release: 'v3' });
  });

  it('ps:stop stops a process and it comes back; apps:destroy removes every container', async () => {
    const { app, cli } = await deployApp('stopdestroy');
    expect((await cli('ps:scale', 'web=2')).code).toBe(0);
    const before = await eventually(() => allUp(2)(app), 30_000, '2 up');
    const web2 = before.find((d) => d.name === 'web.2');
    const stop = await cli('ps:stop', 'web.2');
    expect(stop.code, stop.stderr).toBe(0);
    const after = await eventually(
      async () => {
        const list = await allUp(2)(app);
        return list?.find((d) => d.name === 'web.2' && d.id !== web2?.id) ? list : undefined;
      },
      30_000,
      'web.2 back',
    );
    expect(after.find((d) => d.name === 'web.1')?.id).toBe(before.find((d) => d.name === 'web.1')?.id);
    const badStop = await cli('ps:stop', 'nope.1');
    expect(badStop.code).toBe(1);
    expect(badStop.stderr).toContain("Couldn't find that process: nope.1");
    const ports = await run('docker', ['port', (await containersOf(app))[0] ?? '']);
    // The agents publish $PORT on loopback only. Swarm's host mode cannot bind one address: it
    // binds every interface of the node (docs/architecture.md, "Routing"), once per address family.
    if (t.platform.runtime === 'swarm') expect(ports.stdout.trim()).toMatch(/^5000\/tcp -> 0\.0\.0\.0:\d+$/m);
    else expect(ports.stdout.trim()).toMatch(/^5000\/tcp -> 127\.0\.0\.1:\d+$/);

    expect((await cli('apps:destroy', '--confirm', app)).code).toBe(0);
    await eventually(async () => (await containersOf(app)).length === 0, 30_000, 'containers gone');
    // Stopped, and then removed too (after their last output is read).
    await eventually(
      async () => (await run('docker', ['ps', '-aq', '--filter', `label=paas.app=${app}`])).stdout.trim() === '',
      10_000,
      'containers removed',
    );
  });
});
