import type { ProcessStatus } from '@paas/shared';
import { expect, it } from 'vitest';
import { stateEvents } from './events.js';

const status = (containerId: string, state: ProcessStatus['state'], exitCode: number | null = null): ProcessStatus => ({
  key: 'app-id:web.1',
  app: 'shop',
  appId: 'app-id',
  type: 'web',
  index: 1,
  name: 'web.1',
  release: { id: 'r', version: 1 },
  generation: '',
  state,
  since: '2026-11-23T00:00:00.000Z',
  exitCode,
  restarts: 0,
  containerId,
  command: 'node server.js',
  endpoint: null,
});

it('tells starts, state changes and crashes once each', () => {
  const seen = new Map<string, ProcessStatus>();
  expect(stateEvents(seen, [status('c1', 'starting')]).map((e) => e.line)).toEqual([
    'Starting process with command `node server.js`',
  ]);
  expect(stateEvents(seen, [status('c1', 'starting')])).toEqual([]);
  expect(stateEvents(seen, [status('c1', 'up')])).toEqual([
    { app: 'shop', process: 'web.1', line: 'State changed from starting to up' },
  ]);
  expect(stateEvents(seen, [status('c1', 'crashed', 3)]).map((e) => e.line)).toEqual([
    'Process exited with status 3',
    'State changed from up to crashed',
  ]);
  // A process that crashed before any report still says so.
  expect(stateEvents(seen, [status('c2', 'crashed', 1)]).map((e) => e.line)).toEqual([
    'Process exited with status 1',
    'State changed from starting to crashed',
  ]);
});

it('says nothing about processes it finds already up (an agent restart)', () => {
  expect(stateEvents(new Map(), [status('c1', 'up')])).toEqual([]);
});
