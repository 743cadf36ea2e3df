import { type DesiredProcess, LABELS } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import { type AgentMemory, plan } from './plan.js';
import type { OneOffEnd } from './plan-one-off.js';
import type { ContainerInfo } from './runtime/runtime.js';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

const run = (n: number, over: Partial<NonNullable<DesiredProcess['oneOff']>> = {}): DesiredProcess => ({
  key: `app1:run.${n}`,
  app: 'shop',
  appId: 'app1',
  type: 'run',
  index: n,
  name: `run.${n}`,
  release: { id: 'r2', version: 2 },
  image: 'sha256:abc',
  command: 'bash',
  env: {},
  stopTimeout: 30,
  generation: '',
  healthCheckPath: null,
  oneOff: { id: `one-${n}`, attach: true, tty: true, timeout: 3600, ...over },
});

let seq = 0;
const container = (
  n: number,
  over: Partial<ContainerInfo> & { mode?: 'attached' | 'detached' } = {},
): ContainerInfo => {
  const { mode = 'attached', ...rest } = over;
  return {
    id: `c${++seq}`,
    labels: {
      [LABELS.key]: `app1:run.${n}`,
      [LABELS.app]: 'shop',
      [LABELS.appId]: 'app1',
      [LABELS.type]: 'run',
      [LABELS.index]: String(n),
      [LABELS.name]: `run.${n}`,
      [LABELS.releaseId]: 'r2',
      [LABELS.releaseVersion]: '2',
      [LABELS.generation]: '',
      [LABELS.oneOff]: `one-${n}`,
      [LABELS.oneOffMode]: mode,
    },
    running: true,
    exitCode: null,
    startedAt: iso(5000),
    finishedAt: null,
    hostPort: null,
    ...rest,
  };
};

const memory = (
  over: { launched?: string[]; finished?: [string, OneOffEnd][]; attached?: string[]; stopping?: string[] } = {},
): AgentMemory => ({
  history: new Map(),
  upSince: new Map(),
  stopping: new Set(over.stopping ?? []),
  stoppedByUs: new Set(),
  oneOffs: {
    launched: new Set(over.launched ?? []),
    finished: new Map(over.finished ?? []),
    attached: new Set(over.attached ?? []),
  },
});

describe('plan: one-off processes', () => {
  it('starts a new one-off once, as starting', () => {
    const p = plan([run(1)], [], memory(), NOW);
    expect(p.start.map((d) => d.name)).toEqual(['run.1']);
    expect(p.statuses).toMatchObject([{ name: 'run.1', state: 'starting', oneOff: { id: 'one-1', attach: true } }]);
  });

  it('never starts a launched one-off again, even with no container left (agent restart)', () => {
    const p = plan([run(1)], [], memory({ launched: ['app1:run.1'] }), NOW);
    expect(p.start).toEqual([]);
    expect(p.statuses).toMatchObject([{ name: 'run.1', state: 'down', exitCode: null }]);
    expect(p.finished.get('app1:run.1')).toMatchObject({ exitCode: null });
  });

  it('records an exit (not a crash), removes the container and reports down with the code', () => {
    const c = container(1, { running: false, exitCode: 3, finishedAt: iso(100), mode: 'detached' });
    const p = plan([run(1, { attach: false })], [c], memory({ launched: ['app1:run.1'] }), NOW);
    expect(p.start).toEqual([]);
    expect(p.remove).toEqual([c]);
    expect(p.exits).toMatchObject([{ crashed: false, oneOff: { exitCode: 3 } }]);
    expect(p.history.size).toBe(0);
    expect(p.statuses).toMatchObject([{ name: 'run.1', state: 'down', exitCode: 3, since: iso(100) }]);
  });

  it('keeps reporting the end it remembers until the api drops the one-off', () => {
    const p = plan(
      [run(1)],
      [],
      memory({ launched: ['app1:run.1'], finished: [['app1:run.1', { exitCode: 0, at: iso(50) }]] }),
      NOW,
    );
    expect(p.start).toEqual([]);
    expect(p.statuses).toMatchObject([{ state: 'down', exitCode: 0 }]);
  });

  it('leaves a created attached one-off alone while its link is open (waiting for the client)', () => {
    const c = container(1, { running: false, exitCode: 0, startedAt: null });
    const p = plan([run(1)], [c], memory({ launched: ['app1:run.1'], attached: [c.id] }), NOW);
    expect(p.remove).toEqual([]);
    expect(p.stop).toEqual([]);
    expect(p.statuses).toMatchObject([{ state: 'starting', containerId: c.id }]);
  });

  it('removes a created attached one-off whose link is gone, as ended with no status', () => {
    const c = container(1, { running: false, exitCode: 0, startedAt: null });
    const p = plan([run(1)], [c], memory({ launched: ['app1:run.1'] }), NOW);
    expect(p.remove).toEqual([c]);
    expect(p.statuses).toMatchObject([{ state: 'down', exitCode: null }]);
  });

  it('keeps an exited attached one-off until its link has closed (its status goes to the client first)', () => {
    const c = container(1, { running: false, exitCode: 3, finishedAt: iso(10) });
    const p = plan([run(1)], [c], memory({ launched: ['app1:run.1'], attached: [c.id] }), NOW);
    expect(p.remove).toEqual([]);
    expect(p.exits).toEqual([]);
    const after = plan([run(1)], [c], memory({ launched: ['app1:run.1'] }), NOW);
    expect(after.remove).toEqual([c]);
    expect(after.statuses).toMatchObject([{ state: 'down', exitCode: 3 }]);
  });

  it('stops a running attached one-off whose client link is gone', () => {
    const c = container(1);
    const p = plan([run(1)], [c], memory({ launched: ['app1:run.1'] }), NOW);
    expect(p.stop).toMatchObject([{ container: c, reason: 'detached' }]);
    expect(p.statuses).toMatchObject([{ state: 'stopping' }]);
  });

  it('keeps a running attached one-off with its link, and wakes at its timeout', () => {
    const c = container(1, { startedAt: iso(1000) });
    const p = plan([run(1, { timeout: 10 })], [c], memory({ launched: ['app1:run.1'], attached: [c.id] }), NOW);
    expect(p.stop).toEqual([]);
    expect(p.statuses).toMatchObject([{ state: 'up', containerId: c.id }]);
    expect(p.wakeAt).toBe(NOW - 1000 + 10_000);
  });

  it('stops a one-off past its run timeout', () => {
    const c = container(1, { startedAt: iso(11_000), mode: 'detached' });
    const p = plan([run(1, { timeout: 10, attach: false })], [c], memory({ launched: ['app1:run.1'] }), NOW);
    expect(p.stop).toMatchObject([{ container: c, reason: 'timeout' }]);
  });

  it('does not count a one-off against the formation: web and run.1 side by side', () => {
    const web: DesiredProcess = {
      ...run(1),
      key: 'app1:web.1',
      type: 'web',
      name: 'web.1',
      index: 1,
      oneOff: undefined,
    };
    const p = plan([web, run(1)], [], memory(), NOW);
    expect(p.start.map((d) => d.name).sort()).toEqual(['run.1', 'web.1']);
  });

  it('stops a one-off container that is no longer desired (the api recorded its end or stopped it)', () => {
    const c = container(1);
    const p = plan([], [c], memory(), NOW);
    expect(p.stop).toMatchObject([{ container: c, reason: 'extra' }]);
  });
});
