import { type DesiredProcess, LABELS } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import { type AgentMemory, type CrashHistory, plan } from './plan.js';
import type { ContainerInfo } from './runtime/runtime.js';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

const want = (name: string, over: Partial<DesiredProcess> = {}): DesiredProcess => {
  const [type = 'web', index = '1'] = name.split('.');
  return {
    key: `app1:${name}`,
    app: 'shop',
    appId: 'app1',
    type,
    index: Number(index),
    name,
    release: { id: 'r2', version: 2 },
    image: 'sha256:abc',
    command: 'node server.js',
    env: {},
    stopTimeout: 30,
    generation: '',
    healthCheckPath: null,
    ...(type === 'web' ? { bootTimeout: 60 } : {}),
    ...over,
  };
};

let n = 0;
const container = (
  name: string,
  over: Partial<ContainerInfo> & { release?: string; generation?: string; size?: string } = {},
): ContainerInfo => {
  const { release = 'r2', generation = '', size = 'Basic', ...rest } = over;
  const [type = 'web', index = '1'] = name.split('.');
  return {
    id: `c${++n}`,
    labels: {
      [LABELS.key]: `app1:${name}`,
      [LABELS.app]: 'shop',
      [LABELS.appId]: 'app1',
      [LABELS.type]: type,
      [LABELS.index]: index,
      [LABELS.name]: name,
      [LABELS.releaseId]: release,
      [LABELS.releaseVersion]: release.slice(1),
      [LABELS.generation]: generation,
      ...(size ? { [LABELS.size]: size } : {}),
    },
    running: true,
    exitCode: null,
    startedAt: iso(5000),
    finishedAt: null,
    hostPort: type === 'web' ? 40000 + n : null,
    ...rest,
  };
};

const memory = (over: Partial<{ [K in keyof AgentMemory]: AgentMemory[K] }> = {}): AgentMemory => ({
  history: new Map(),
  upSince: new Map(),
  stopping: new Set(),
  stoppedByUs: new Set(),
  ...over,
});

const states = (p: ReturnType<typeof plan>) => p.statuses.map((s) => `${s.name}:${s.state}`);

describe('plan', () => {
  it('starts what is missing, as starting', () => {
    const p = plan([want('web.1'), want('worker.1')], [], memory(), NOW);
    expect(p.start.map((d) => d.name)).toEqual(['web.1', 'worker.1']);
    expect(states(p)).toEqual(['web.1:starting', 'worker.1:starting']);
    expect(p.stop).toEqual([]);
  });

  it('adopts running containers that match: nothing to start or stop', () => {
    const web = container('web.1');
    const worker = container('worker.1');
    const p = plan(
      [want('web.1'), want('worker.1')],
      [web, worker],
      memory({ upSince: new Map([[web.id, iso(1)]]) }),
      NOW,
    );
    expect(p.start).toEqual([]);
    expect(p.stop).toEqual([]);
    expect(p.exits).toEqual([]);
    expect(states(p)).toEqual(['web.1:up', 'worker.1:up']);
  });

  it('probes a web process that has not answered yet, and wakes at its boot deadline', () => {
    const web = container('web.1', { startedAt: iso(10_000) });
    const p = plan([want('web.1')], [web], memory(), NOW);
    expect(states(p)).toEqual(['web.1:starting']);
    expect(p.probe.map((x) => x.container.id)).toEqual([web.id]);
    expect(p.wakeAt).toBe(NOW + 50_000);
  });

  it('stops what is no longer desired, and removes exited containers of it', () => {
    const extra = container('web.2');
    const dead = container('worker.3', { running: false, exitCode: 0 });
    const p = plan([], [extra, dead], memory(), NOW);
    expect(p.stop).toEqual([{ container: extra, reason: 'extra' }]);
    expect(p.remove).toEqual([dead]);
    expect(states(p)).toEqual(['web.2:stopping']);
  });

  it('counts an exit it did not cause as a crash: restarts at once, then backs off', () => {
    const crashed = container('worker.1', {
      running: false,
      exitCode: 3,
      startedAt: iso(2000),
      finishedAt: iso(1000),
    });
    const first = plan([want('worker.1')], [crashed], memory(), NOW);
    expect(first.exits).toEqual([{ process: want('worker.1'), container: crashed, crashed: true }]);
    expect(first.remove).toEqual([crashed]);
    expect(first.start.map((d) => d.name)).toEqual(['worker.1']); // restart 1: immediate
    expect(first.history.get('app1:worker.1')).toMatchObject({ restarts: 1, exitCode: 3 });

    const again = container('worker.1', { running: false, exitCode: 3, startedAt: iso(900), finishedAt: iso(500) });
    const second = plan([want('worker.1')], [again], memory({ history: first.history }), NOW);
    expect(second.start).toEqual([]); // restart 2: after 1 s
    expect(second.history.get('app1:worker.1')).toMatchObject({ restarts: 2, backoffUntil: NOW + 1000 });
    expect(second.wakeAt).toBe(NOW + 1000);
    expect(second.statuses).toMatchObject([{ name: 'worker.1', state: 'crashed', exitCode: 3, restarts: 2 }]);

    const later = plan([want('worker.1')], [], memory({ history: second.history }), NOW + 1000);
    expect(later.start.map((d) => d.name)).toEqual(['worker.1']);
  });

  it('a process that ran a while before crashing starts its back-off over', () => {
    const history = new Map<string, CrashHistory>([
      ['app1:worker.1', { restarts: 6, backoffUntil: 0, exitCode: 1, crashedAt: iso(600_000) }],
    ]);
    const crashed = container('worker.1', { running: false, exitCode: 1, startedAt: iso(120_000), finishedAt: iso(1) });
    const p = plan([want('worker.1')], [crashed], memory({ history }), NOW);
    expect(p.history.get('app1:worker.1')?.restarts).toBe(1);
    expect(p.start).toHaveLength(1);
  });

  it('an exit it caused (a stop) is not a crash: the process just comes back', () => {
    const stopped = container('web.1', { running: false, exitCode: 143 });
    const p = plan([want('web.1')], [stopped], memory({ stoppedByUs: new Set([stopped.id]) }), NOW);
    expect(p.exits).toEqual([{ process: want('web.1'), container: stopped, crashed: false }]);
    expect(p.history.size).toBe(0);
    expect(p.start.map((d) => d.name)).toEqual(['web.1']);
  });

  it('replaces web start-first: the old one serves until the new one is up', () => {
    const old = container('web.1', { release: 'r1' });
    const fresh = container('web.1');
    const starting = plan([want('web.1')], [old], memory({ upSince: new Map([[old.id, iso(9000)]]) }), NOW);
    expect(starting.start.map((d) => d.name)).toEqual(['web.1']);
    expect(starting.stop).toEqual([]);
    expect(states(starting)).toEqual(['web.1:up', 'web.1:starting']);

    const notYet = plan([want('web.1')], [old, fresh], memory(), NOW);
    expect(notYet.stop).toEqual([]);
    expect(states(notYet)).toEqual(['web.1:up', 'web.1:starting']);

    const up = plan([want('web.1')], [old, fresh], memory({ upSince: new Map([[fresh.id, iso(1)]]) }), NOW);
    expect(up.stop).toEqual([{ container: old, reason: 'replaced', process: want('web.1') }]);
    expect(states(up)).toEqual(['web.1:stopping', 'web.1:up']);
  });

  it('replaces other types stop-first, and a restart generation like a release', () => {
    const old = container('worker.1', { generation: '' });
    const d = want('worker.1', { generation: '2026-11-24T11:00:00Z' });
    const p = plan([d], [old], memory(), NOW);
    expect(p.start).toEqual([]);
    expect(p.stop).toEqual([{ container: old, reason: 'replaced', process: d }]);
    const stopping = plan([d], [old], memory({ stopping: new Set([old.id]) }), NOW);
    expect(stopping.start).toEqual([]);
    expect(states(stopping)).toEqual(['worker.1:stopping']);
    const gone = plan(
      [d],
      [{ ...old, running: false, exitCode: 143 }],
      memory({ stoppedByUs: new Set([old.id]) }),
      NOW,
    );
    expect(gone.remove).toHaveLength(1);
    expect(gone.start).toEqual([d]);
  });

  it('replaces a process of another dyno size (or of none: made before sizes) like a release', () => {
    const basic = container('worker.1');
    const d = want('worker.1', { size: 'Standard-2X' });
    expect(plan([d], [basic], memory(), NOW).stop).toEqual([{ container: basic, reason: 'replaced', process: d }]);
    const unsized = container('worker.1', { size: '' });
    expect(plan([want('worker.1')], [unsized], memory(), NOW).stop).toMatchObject([{ reason: 'replaced' }]);
    const same = container('worker.1', { size: 'Standard-2X' });
    const kept = plan([d], [same], memory(), NOW);
    expect(kept.stop).toEqual([]);
    expect(kept.statuses[0]).toMatchObject({ state: 'up', size: 'Standard-2X' });
    const web = container('web.1');
    const bigWeb = want('web.1', { size: 'Performance-M' });
    const rolling = plan([bigWeb], [web], memory({ upSince: new Map([[web.id, iso(9000)]]) }), NOW);
    expect(rolling.start).toEqual([bigWeb]); // web: start-first
    expect(rolling.stop).toEqual([]);
  });

  it('stops a duplicate of a process', () => {
    const a = container('worker.1');
    const b = container('worker.1');
    const p = plan([want('worker.1')], [a, b], memory(), NOW);
    expect(p.stop).toEqual([{ container: b, reason: 'duplicate', process: want('worker.1') }]);
  });

  it('stops a web process that has not answered within its boot timeout (R10), as a crash', () => {
    const slow = container('web.1', { startedAt: iso(61_000) });
    const p = plan([want('web.1')], [slow], memory(), NOW);
    expect(p.stop).toEqual([{ container: slow, reason: 'boot-timeout', process: want('web.1') }]);
    expect(p.history.get('app1:web.1')).toMatchObject({ restarts: 1, exitCode: null });
    expect(p.start.map((d) => d.name)).toEqual(['web.1']); // first restart: at once
    // An old release's process keeps serving meanwhile.
    const old = container('web.1', { release: 'r1' });
    const rolling = plan([want('web.1')], [old, slow], memory({ upSince: new Map([[old.id, iso(90_000)]]) }), NOW);
    expect(rolling.stop.map((s) => s.reason)).toEqual(['boot-timeout']);
    expect(states(rolling)).toEqual(['web.1:up', 'web.1:starting']);
    // A web process that answered is never timed out.
    const fine = plan([want('web.1')], [slow], memory({ upSince: new Map([[slow.id, iso(30_000)]]) }), NOW);
    expect(fine.stop).toEqual([]);
  });

  it('forgets the crash history of processes no longer desired', () => {
    const history = new Map<string, CrashHistory>([
      ['app1:worker.9', { restarts: 3, backoffUntil: NOW + 5000, exitCode: 1, crashedAt: iso(1) }],
    ]);
    expect(plan([], [], memory({ history }), NOW).history.size).toBe(0);
  });
});

describe('containerSpec', () => {
  it('labels the container so an agent can adopt it, and publishes only web on loopback', async () => {
    const { containerSpec } = await import('./container-spec.js');
    const web = containerSpec(want('web.1'), 'plat', 'agent-1');
    expect(web.labels).toMatchObject({
      [LABELS.platform]: 'plat',
      [LABELS.agent]: 'agent-1',
      [LABELS.key]: 'app1:web.1',
      [LABELS.releaseId]: 'r2',
      [LABELS.stopTimeout]: '30',
    });
    expect(web.publish).toBe(5000);
    expect(web.cmd).toEqual(['/bin/sh', '-c', 'exec node server.js']);
    expect(containerSpec(want('worker.1'), 'plat', 'agent-1').publish).toBeUndefined();
    expect(containerSpec(want('web.1', { command: null }), 'p', 'a').cmd).toBeNull();
  });
});
