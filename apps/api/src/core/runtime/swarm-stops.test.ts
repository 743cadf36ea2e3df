import type { TaskStop } from '@paas/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { SwarmService, SwarmTask } from '../../docker-swarm.js';
import { PaasError } from '../../errors.js';
import type { Dyno } from './dyno-view.js';
import { type TaskAgents, TaskStopper, tasksToRestart, typeGeneration } from './swarm-stops.js';

const service: SwarmService = {
  id: 's-web',
  version: 1,
  name: 'shop-web-x',
  labels: { 'paas.app': 'shop', 'paas.app-id': 'a1', 'paas.type': 'web' },
  replicas: 2,
  updateState: null,
  updateMessage: null,
};
const task = (slot: number, createdAt: string, extra: Partial<SwarmTask> = {}): SwarmTask => ({
  id: `t${slot}`,
  serviceId: 's-web',
  slot,
  nodeId: 'n1',
  state: 'running',
  desiredState: 'running',
  createdAt,
  since: createdAt,
  message: '',
  err: null,
  containerId: `c${slot}`,
  exitCode: null,
  publishedPort: 30000 + slot,
  labels: {},
  ...extra,
});
const dyno = (name: string, containerId: string | null, extra: Partial<Dyno> = {}): Dyno => ({
  key: `a1:${name}`,
  app: 'shop',
  appId: 'a1',
  type: name.split('.')[0] ?? '',
  index: Number(name.split('.')[1]),
  name,
  release: { id: 'r1', version: 1 },
  generation: '',
  state: 'up',
  since: '2026-01-01T00:00:00Z',
  exitCode: null,
  restarts: 0,
  containerId,
  command: 'node server.js',
  endpoint: { host: '10.0.0.2', port: 31000 },
  agent: 'node-2',
  ...extra,
});

describe('tasksToRestart', () => {
  const tasks = [task(1, '2026-01-01T10:00:00.123456789Z'), task(2, '2026-01-01T10:00:00.123456789Z')];

  it("replaces a process's task made before its restart request, and no other", () => {
    const restarts = new Map([['web.2', '2026-01-01T10:05:00.000Z']]);
    expect(tasksToRestart([service], tasks, () => restarts)).toEqual([
      { appId: 'a1', name: 'web.2', containerId: 'c2' },
    ]);
  });

  it('leaves a task made after the request (done, also after an api restart), or a pending one', () => {
    const restarts = new Map([['web.2', '2026-01-01T09:59:59.000Z']]);
    expect(tasksToRestart([service], tasks, () => restarts)).toEqual([]);
    const pending = [task(2, '2026-01-01T10:00:00Z', { containerId: null, state: 'pending' })];
    expect(tasksToRestart([service], pending, () => new Map([['web.2', '2026-01-01T10:05:00.000Z']]))).toEqual([]);
  });

  it("leaves it to the service's rolling update when the type or the app was restarted since", () => {
    for (const scope of ['web', '']) {
      const restarts = new Map([
        ['web.2', '2026-01-01T10:05:00.000Z'],
        [scope, '2026-01-01T10:06:00.000Z'],
      ]);
      expect(tasksToRestart([service], tasks, () => restarts)).toEqual([]);
      expect(typeGeneration(restarts, 'web')).toBe('2026-01-01T10:06:00.000Z');
    }
  });

  it("gives a service its type's and app's restarts, not one process's", () => {
    const restarts = new Map([
      ['', '2026-01-01T10:00:00.000Z'],
      ['web', '2026-01-01T10:01:00.000Z'],
      ['web.2', '2026-01-01T10:02:00.000Z'],
    ]);
    expect(typeGeneration(restarts, 'web')).toBe('2026-01-01T10:01:00.000Z');
    expect(typeGeneration(new Map(), 'web')).toBe('');
  });
});

describe('TaskStopper', () => {
  const setUp = (holders: Record<string, string>, connected = true) => {
    const sent: { agent: string; tasks: TaskStop[] }[] = [];
    const agents: TaskAgents = {
      taskHolder: (id) => holders[id],
      stopTasks: (agent, tasks) => {
        if (!connected) return false;
        sent.push({ agent, tasks });
        return true;
      },
    };
    return { sent, stopper: new TaskStopper({ agents, log: pino({ level: 'silent' }) }) };
  };

  it('asks the agent watching each container to stop it, and shows it stopping (out of the routes)', () => {
    const { sent, stopper } = setUp({ c1: 'agent-a', c2: 'agent-b' });
    const dynos = [dyno('web.1', 'c1'), dyno('web.2', 'c2', { endpoint: null })];
    expect(stopper.stop(dynos, () => 3, 1000)).toBe(2);
    expect(sent).toEqual([
      { agent: 'agent-a', tasks: [{ containerId: 'c1', endpoint: { host: '10.0.0.2', port: 31000 } }] },
      { agent: 'agent-b', tasks: [{ containerId: 'c2' }] },
    ]);
    expect(stopper.mark(dynos).map((d) => [d.state, d.endpoint])).toEqual([
      ['stopping', null],
      ['stopping', null],
    ]);
    // Gone from the current tasks (replaced), or past its stop timeout and a margin: as Swarm says.
    stopper.forget(new Set(['c2']), new Set(['c1', 'c2']), 2000);
    expect(stopper.isStopping('c1')).toBe(false);
    expect(stopper.stopped.has('c1')).toBe(true); // its ended task is still listed: no crash
    stopper.forget(new Set(['c2']), new Set(['c2']), 1000 + 64_000);
    expect(stopper.isStopping('c2')).toBe(false);
    expect([...stopper.stopped]).toEqual(['c2']);
  });

  it('refuses, naming the process and its node, when no connected agent watches it; stops none', () => {
    const { sent, stopper } = setUp({ c1: 'agent-a' });
    const dynos = [dyno('web.1', 'c1'), dyno('web.2', 'c2')];
    const err = (() => {
      try {
        stopper.stop(dynos, () => 3);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PaasError);
    expect((err as PaasError).code).toBe('unavailable');
    expect((err as PaasError).message).toContain('web.2 (node node-2)');
    expect(sent).toEqual([]);
    expect(stopper.isStopping('c1')).toBe(false);
    expect(() => stopper.check([dyno('web.2', 'c2')])).toThrow(/no paas agent is connected/);
  });

  it('skips processes with nothing to stop (crashed, waiting, no container yet)', () => {
    const { sent, stopper } = setUp({});
    expect(
      stopper.stop([dyno('web.1', null, { state: 'starting' }), dyno('web.2', 'c2', { state: 'crashed' })], () => 3),
    ).toBe(0);
    expect(sent).toEqual([]);
  });
});
