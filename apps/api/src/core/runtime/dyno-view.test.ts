import type { DesiredProcess } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import { type Dyno, dynoView } from './dyno-view.js';

const wanted = (name: string, appId = 'a1'): DesiredProcess => {
  const [type = '', index = '1'] = name.split('.');
  return {
    key: `${appId}:${name}`,
    app: 'shop',
    appId,
    type,
    index: Number(index),
    name,
    release: { id: 'r2', version: 2 },
    image: 'sha256:abc',
    command: null,
    env: {},
    stopTimeout: 30,
    generation: '',
  };
};
const reported = (name: string, version: number, state: Dyno['state'] = 'up'): Dyno => ({
  ...wanted(name),
  release: { id: `r${version}`, version },
  state,
  since: '2026-01-01T00:00:00Z',
  exitCode: null,
  restarts: 0,
  containerId: 'c',
  endpoint: null,
  agent: 'agent-1',
});
const now = new Date('2026-02-01T00:00:00Z');

describe('dynoView', () => {
  it('shows reported processes and wanted ones not yet reported as starting where placed', () => {
    const dynos = dynoView(
      'a1',
      [reported('web.1', 2)],
      [wanted('web.1'), wanted('worker.1')],
      new Map([['a1:worker.1', 'agent-2']]),
      now,
    );
    expect(dynos.map((d) => [d.name, d.state, d.agent, d.since])).toEqual([
      ['web.1', 'up', 'agent-1', '2026-01-01T00:00:00Z'],
      ['worker.1', 'starting', 'agent-2', now.toISOString()],
    ]);
  });

  it('keeps an old release beside the new one during a rollout, sorted by type, index, version', () => {
    const dynos = dynoView(
      'a1',
      [reported('web.1', 2, 'starting'), reported('worker.1', 1), reported('web.1', 1)],
      [wanted('web.1'), wanted('worker.1')],
      new Map(),
      now,
    );
    expect(dynos.map((d) => `${d.name}@v${d.release.version}`)).toEqual(['web.1@v1', 'web.1@v2', 'worker.1@v1']);
  });

  it("shows nothing of another app's processes, and '' for an unplaced one", () => {
    const other = { ...reported('web.1', 1), appId: 'a2', key: 'a2:web.1' };
    const dynos = dynoView('a1', [other], [wanted('web.1'), wanted('web.1', 'a2')], new Map(), now);
    expect(dynos).toHaveLength(1);
    expect(dynos[0]).toMatchObject({ appId: 'a1', state: 'starting', agent: '' });
  });

  it("counts a type's processes by how many run, not by name: Swarm may keep web.2 of two after a scale to one", () => {
    const dynos = dynoView('a1', [reported('web.2', 2)], [wanted('web.1')], new Map(), now);
    expect(dynos.map((d) => d.name)).toEqual(['web.2']);
    // Scaled up again to three: two more are starting, named by the first missing names.
    const up = dynoView(
      'a1',
      [reported('web.2', 2)],
      [wanted('web.1'), wanted('web.2'), wanted('web.3')],
      new Map(),
      now,
    );
    expect(up.map((d) => `${d.name}:${d.state}`)).toEqual(['web.1:starting', 'web.2:up', 'web.3:starting']);
    // One stopping does not count as running.
    const stopping = dynoView('a1', [reported('web.2', 2, 'stopping')], [wanted('web.1')], new Map(), now);
    expect(stopping.map((d) => `${d.name}:${d.state}`)).toEqual(['web.1:starting', 'web.2:stopping']);
  });
});
