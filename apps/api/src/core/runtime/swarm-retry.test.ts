import { describe, expect, it } from 'vitest';
import type { SwarmService } from '../../docker-swarm.js';
import { UpdateRetries } from './swarm-retry.js';
import { SWARM_LABELS, type WantedService } from './swarm-spec.js';

const service = (spec: string, updateState: string | null): SwarmService => ({
  id: 's1',
  version: 1,
  name: 'shop-web-x',
  labels: { 'paas.app-id': 'a1', 'paas.type': 'web', [SWARM_LABELS.spec]: spec },
  replicas: 1,
  updateState,
  updateMessage: null,
});
const wanted = (hash: string) => [{ key: 'a1:web', hash } as WantedService];

describe('UpdateRetries', () => {
  it('writes a rolled-back update again once the rollback is done, after 0, 1, 2 … s', () => {
    const r = new UpdateRetries();
    const failed = new Map([['a1:web', 'v3']]);
    expect(r.failed(failed, 1000)).toEqual([{ key: 'a1:web', waitMs: 0 }]);
    // Counted once, however many looks see it rolled back.
    expect(r.failed(failed, 1500)).toEqual([]);
    // Held while Swarm still rolls back; then written again.
    expect(r.held(wanted('v3'), [service('v2', 'rollback_started')], 1500)).toEqual(new Map([['a1:web', 'v3']]));
    expect(r.held(wanted('v3'), [service('v2', 'rollback_completed')], 1600).size).toBe(0);
    r.written('a1:web');
    // Rolled back again: 1 s.
    expect(r.failed(failed, 5000)).toEqual([{ key: 'a1:web', waitMs: 1000 }]);
    expect(r.held(wanted('v3'), [service('v2', 'rollback_completed')], 5500).size).toBe(1);
    expect(r.held(wanted('v3'), [service('v2', 'rollback_completed')], 6000).size).toBe(0);
    r.written('a1:web');
    expect(r.failed(failed, 9000)).toEqual([{ key: 'a1:web', waitMs: 2000 }]);
  });

  it('starts over for a new wanted spec, and forgets one that took', () => {
    const r = new UpdateRetries();
    r.failed(new Map([['a1:web', 'v3']]), 0);
    r.written('a1:web');
    r.failed(new Map([['a1:web', 'v3']]), 10);
    expect(r.held(wanted('v3'), [service('v2', 'rollback_completed')], 20).size).toBe(1);
    // A new release: written at once.
    expect(r.held(wanted('v4'), [service('v2', 'rollback_completed')], 20).size).toBe(0);
    expect(r.failed(new Map([['a1:web', 'v4']]), 30)).toEqual([{ key: 'a1:web', waitMs: 0 }]);
    r.written('a1:web');
    expect(r.held(wanted('v4'), [service('v4', 'completed')], 40).size).toBe(0);
    expect(r.failed(new Map([['a1:web', 'v4']]), 50)).toEqual([{ key: 'a1:web', waitMs: 0 }]);
  });
});
