import { describe, expect, it } from 'vitest';
import type { ContainerInfo } from '../runtime/runtime.js';
import { endedInCrash, killLines, observe, swarmProcess } from './observe.js';

const task = (id: string, type: string, slot: number, state: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id,
  labels: {
    'paas.app': 'shop',
    'paas.type': type,
    'paas.command': `node ${type}.js`,
    'com.docker.swarm.task.name': `shop-${type}-0123456789.${slot}.k2j3h4g5f6d7s8a9`,
  },
  running: true,
  exitCode: null,
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: null,
  hostPort: null,
  health: type === 'web' ? 'starting' : null,
  ...state,
});

describe('swarmProcess', () => {
  it("names a task container by its type and Swarm's slot", () => {
    expect(swarmProcess(task('c1', 'web', 3))).toEqual({
      containerId: 'c1',
      app: 'shop',
      slot: 'shop:web.3',
      type: 'web',
      process: 'web.3',
      command: 'node web.js',
      stopTimeout: 30,
    });
    expect(swarmProcess({ ...task('c2', 'web', 1), labels: { 'paas.app': 'shop' } })).toBeNull();
  });
});

describe('observe', () => {
  it('says a start, then up once healthy (web) or at once (others), then an exit', () => {
    const first = observe(new Map(), [task('w', 'web', 1), task('k', 'worker', 1)], false);
    expect(first.events.map((e) => `${e.process}: ${e.line}`)).toEqual([
      'web.1: Starting process with command `node web.js`',
      'worker.1: Starting process with command `node worker.js`',
      'worker.1: State changed from starting to up',
    ]);
    const healthy = observe(first.next, [task('w', 'web', 1, { health: 'healthy' }), task('k', 'worker', 1)], false);
    expect(healthy.events.map((e) => `${e.process}: ${e.line}`)).toEqual(['web.1: State changed from starting to up']);
    const again = observe(healthy.next, [task('w', 'web', 1, { health: 'healthy' }), task('k', 'worker', 1)], false);
    expect(again.events).toEqual([]);
    const ended = observe(
      again.next,
      [task('w', 'web', 1, { running: false, exitCode: 0 }), task('k', 'worker', 1, { running: false, exitCode: 3 })],
      false,
    );
    expect(ended.events.map((e) => `${e.process}: ${e.line}`)).toEqual([
      'web.1: Process exited with status 0',
      'web.1: State changed from up to down',
      'worker.1: Process exited with status 3',
      'worker.1: State changed from up to crashed',
    ]);
  });

  it('adopts what runs at its first look without a word', () => {
    const adopted = observe(new Map(), [task('w', 'web', 1, { health: 'healthy' })], true);
    expect(adopted.events).toEqual([]);
    expect(adopted.next.get('w')).toBe('up');
    // Only what `adopt` says: a task started since the agent did is said, as any new one.
    const told = observe(new Map(), [task('w', 'web', 1), task('k', 'worker', 1)], (c) => c.id === 'w');
    expect(told.events.map((e) => `${e.process}: ${e.line}`)).toEqual([
      'worker.1: Starting process with command `node worker.js`',
      'worker.1: State changed from starting to up',
    ]);
  });

  it('says the start when the gate opens, and nothing of a container stopped at its gate', () => {
    const gated = { 'paas.gated': '1' };
    const t = (id: string, state: Partial<ContainerInfo> = {}) => {
      const c = task(id, 'worker', 1, state);
      return { ...c, labels: { ...c.labels, ...gated } };
    };
    let opened = false;
    const open = () => opened;
    const waiting = observe(new Map(), [t('k')], false, { open });
    expect(waiting.events).toEqual([]);
    expect(waiting.next.get('k')).toBe('gated');
    opened = true;
    const started = observe(waiting.next, [t('k')], false, { open });
    expect(started.events.map((e) => e.line)).toEqual([
      'Starting process with command `node worker.js`',
      'State changed from starting to up',
    ]);
    const crashed = observe(started.next, [t('k', { running: false, exitCode: 1 })], false, { open });
    expect(crashed.events.map((e) => e.line)).toEqual([
      'Process exited with status 1',
      'State changed from up to crashed',
    ]);
    expect(crashed.crashed.map((c) => c.id)).toEqual(['k']);
    opened = false;
    const stoppedAtGate = observe(waiting.next, [t('k', { running: false, exitCode: 143 })], false, { open });
    expect(stoppedAtGate.events).toEqual([]);
    expect(stoppedAtGate.crashed).toEqual([]);
    // Only created when first seen (not started): no word yet, and its start is said once it runs.
    const created = observe(new Map(), [t('k', { running: false, startedAt: null })], false, { open });
    expect(created.events).toEqual([]);
    expect(created.next.get('k')).toBe('gated');
    opened = true;
    expect(observe(created.next, [t('k')], false, { open }).events.map((e) => e.line)).toEqual([
      'Starting process with command `node worker.js`',
      'State changed from starting to up',
    ]);
    // Seen at its gate, then it ran and crashed between two looks: said, and a crash.
    const between = observe(waiting.next, [t('k', { running: false, exitCode: 1 })], false, { open });
    expect(between.events.map((e) => e.line)).toEqual([
      'Starting process with command `node worker.js`',
      'Process exited with status 1',
      'State changed from starting to crashed',
    ]);
    expect(between.crashed.map((c) => c.id)).toEqual(['k']);
    // Its end said already (R10): not said again.
    const r10 = observe(started.next, [t('k', { running: false, exitCode: 137 })], false, { said: new Set(['k']) });
    expect(r10.events).toEqual([]);
  });
});

describe('endedInCrash', () => {
  const gated = (state: Partial<ContainerInfo>) => {
    const c = task('k', 'worker', 1, state);
    return { ...c, labels: { ...c.labels, 'paas.gated': '1' } };
  };
  it('is a crash when the process ran and ended by itself, as observe() says', () => {
    const ended = gated({ running: false, exitCode: 1 });
    expect(endedInCrash(ended)).toBe(true);
    expect(endedInCrash(ended, { open: () => false })).toBe(false); // ended at its gate
    expect(endedInCrash(ended, { stopped: new Set(['k']) })).toBe(false); // Swarm stopped it
    expect(endedInCrash(ended, { said: new Set(['k']) })).toBe(false); // R10, counted already
    expect(endedInCrash(gated({ running: false, exitCode: 143 }))).toBe(false);
    expect(endedInCrash(gated({ running: false, startedAt: null, exitCode: 128 }))).toBe(false); // never started
    expect(endedInCrash(gated({}))).toBe(false); // running
  });
});

describe('killLines', () => {
  const none = { term: false, kill: false };

  it("says a stop's SIGTERM, then R12 and SIGKILL when the stop timeout ran out, each once", () => {
    const term = killLines(none, '15', 3);
    expect(term.lines).toEqual(['Stopping process with SIGTERM']);
    expect(killLines(term.next, '15', 3).lines).toEqual([]);
    const kill = killLines(term.next, '9', 3);
    expect(kill.lines).toEqual([
      'Error R12 (Exit timeout) -> Process failed to exit within 3 seconds of SIGTERM',
      'Stopping process with SIGKILL',
    ]);
    expect(killLines(kill.next, '9', 3).lines).toEqual([]);
  });

  it('says a SIGKILL alone (docker kill) without R12, and counts kills when events carry no signal', () => {
    expect(killLines(none, '9', 30).lines).toEqual(['Stopping process with SIGKILL']);
    const first = killLines(none, undefined, 30);
    expect(first.lines).toEqual(['Stopping process with SIGTERM']);
    expect(killLines(first.next, undefined, 30).lines).toContain('Stopping process with SIGKILL');
  });
});
