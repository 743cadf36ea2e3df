import { describe, expect, it } from 'vitest';
import type { SwarmNode, SwarmService, SwarmTask } from '../../docker-swarm.js';
import { swarmDynos, withGates } from './swarm-tasks.js';

const service = (type: string): SwarmService => ({
  id: `s-${type}`,
  version: 1,
  name: `shop-${type}-x`,
  labels: { 'paas.app': 'shop', 'paas.app-id': 'a1', 'paas.type': type },
  replicas: 2,
  updateState: null,
  updateMessage: null,
});
const nodes: SwarmNode[] = [
  { id: 'n1', hostname: 'host', addr: '127.0.0.1', nanoCpus: 2e9, state: 'ready', availability: 'active' },
  { id: 'n2', hostname: 'worker-1', addr: '172.17.0.5', nanoCpus: 2e9, state: 'ready', availability: 'active' },
];
let n = 0;
const task = (type: string, slot: number, extra: Partial<SwarmTask> = {}): SwarmTask => ({
  id: `t${++n}`,
  serviceId: `s-${type}`,
  slot,
  nodeId: 'n1',
  state: 'running',
  desiredState: 'running',
  createdAt: `2026-01-01T00:${String(n).padStart(2, '0')}:00Z`,
  since: `2026-01-01T00:${String(n).padStart(2, '0')}:00Z`,
  message: '',
  err: null,
  containerId: `c${n}`,
  exitCode: null,
  publishedPort: type === 'web' ? 30000 + slot : null,
  labels: { 'paas.release-id': 'r3', 'paas.release': '3', 'paas.generation': '', 'paas.command': 'node server.js' },
  ...extra,
});

describe('swarmDynos', () => {
  it("shows each task as <type>.<slot>, up when running, reached at its node's address and published port", () => {
    const dynos = swarmDynos(
      [service('web'), service('worker')],
      [task('web', 1), task('web', 2, { nodeId: 'n2' }), task('worker', 1)],
      nodes,
    );
    expect(dynos.map((d) => [d.key, d.name, d.state, d.endpoint, d.agent, d.release.version])).toEqual([
      ['a1:web.1', 'web.1', 'up', { host: '127.0.0.1', port: 30001 }, 'host', 3],
      ['a1:web.2', 'web.2', 'up', { host: '172.17.0.5', port: 30002 }, 'worker-1', 3],
      ['a1:worker.1', 'worker.1', 'up', null, 'host', 3],
    ]);
  });

  it('maps states: starting until healthy, crashed with its exit code and restarts, stopping, history hidden', () => {
    const dynos = swarmDynos(
      [service('web'), service('worker')],
      [
        task('web', 1, { state: 'starting' }),
        // worker.1 crashed twice; the new task waits out its restart delay
        task('worker', 1, { state: 'failed', desiredState: 'shutdown', exitCode: 3 }),
        task('worker', 1, { state: 'failed', desiredState: 'shutdown', exitCode: 3 }),
        task('worker', 1, { state: 'ready', desiredState: 'ready' }),
        // web.2: an old task being stopped beside its replacement; an older one long gone
        task('web', 2, { state: 'shutdown', desiredState: 'shutdown' }),
        task('web', 2, { state: 'running', desiredState: 'shutdown' }),
        task('web', 2),
      ],
      nodes,
    );
    expect(dynos.map((d) => [d.name, d.state, d.exitCode, d.restarts])).toEqual([
      ['web.1', 'starting', null, 0],
      ['worker.1', 'crashed', 3, 2],
      ['web.2', 'stopping', null, 0],
      ['web.2', 'up', null, 0],
    ]);
    expect(dynos[0]?.endpoint).toBeNull();
  });

  it('takes the end of a container stopped on request (ps:stop) for no crash, whatever its status', () => {
    const killed = task('worker', 1, { state: 'failed', desiredState: 'shutdown', exitCode: 137 });
    const waiting = task('worker', 1, { state: 'ready', desiredState: 'ready' });
    const [asked] = swarmDynos([service('worker')], [killed, waiting], nodes, new Set([killed.containerId ?? '']));
    expect([asked?.state, asked?.restarts]).toEqual(['starting', 0]);
    const [crash] = swarmDynos([service('worker')], [killed, waiting], nodes);
    expect([crash?.state, crash?.restarts]).toEqual(['crashed', 1]);
  });

  it("ignores tasks of services not this platform's", () => {
    expect(swarmDynos([service('web')], [task('other', 1)], nodes)).toEqual([]);
  });
});

describe('withGates', () => {
  it('shows a task held at its start gate crashed, with the exit code, until the gate opens', () => {
    const dynos = swarmDynos(
      [service('worker')],
      [
        task('worker', 1, { state: 'failed', desiredState: 'shutdown', exitCode: 1, containerId: 'old' }),
        task('worker', 1, { containerId: 'new' }),
        task('worker', 2, { containerId: 'other' }),
      ],
      nodes,
    );
    expect(dynos.map((d) => [d.name, d.state])).toEqual([
      ['worker.1', 'up'],
      ['worker.2', 'up'],
    ]);
    const gate = {
      containerId: 'new',
      since: '2026-01-01T00:00:01Z',
      exitCode: 1,
      restarts: 3,
      until: '2026-01-01T00:00:05Z',
    };
    const held = withGates(dynos, [gate], Date.parse('2026-01-01T00:00:03Z'));
    expect(held.map((d) => [d.name, d.state, d.exitCode, d.restarts])).toEqual([
      ['worker.1', 'crashed', 1, 3],
      ['worker.2', 'up', null, 0],
    ]);
    // Open (the agent's word is older than the gate's end): as Swarm says.
    expect(withGates(dynos, [gate], Date.parse('2026-01-01T00:00:06Z'))).toEqual(dynos);
  });
});
