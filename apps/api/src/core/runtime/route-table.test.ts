import type { ProcessStatus } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import { routeTable } from './route-table.js';

const status = (over: Partial<ProcessStatus>): ProcessStatus => ({
  key: `a1:${over.name ?? 'web.1'}`,
  app: 'shop',
  appId: 'a1',
  type: 'web',
  index: 1,
  name: 'web.1',
  release: { id: 'r1', version: 1 },
  generation: '',
  state: 'up',
  since: '2026-01-01T00:00:00Z',
  exitCode: null,
  restarts: 0,
  containerId: 'c1',
  command: null,
  endpoint: { host: '127.0.0.1', port: 32001 },
  ...over,
});

const apps = [
  { id: 'a1', name: 'shop' },
  { id: 'a2', name: 'blog' },
];

describe('routeTable', () => {
  it('routes the default host and custom domains to web processes that are up, by port', () => {
    const routes = routeTable(
      apps,
      [{ app_id: 'a1', hostname: 'www.shop.test' }],
      [
        status({ name: 'web.2', endpoint: { host: '127.0.0.1', port: 32010 } }),
        status({ name: 'web.1', endpoint: { host: '127.0.0.1', port: 32005 } }),
      ],
      'localhost',
    );
    expect(routes).toEqual([
      {
        app: 'shop',
        hosts: ['shop.localhost', 'www.shop.test'],
        endpoints: [
          { host: '127.0.0.1', port: 32005, name: 'web.1' },
          { host: '127.0.0.1', port: 32010, name: 'web.2' },
        ],
      },
      { app: 'blog', hosts: ['blog.localhost'], endpoints: [] },
    ]);
  });

  it('leaves out processes that are not up, not web, without an endpoint, or of another app', () => {
    const routes = routeTable(
      apps.slice(0, 1),
      [],
      [
        status({ name: 'web.1', state: 'starting' }),
        status({ name: 'web.2', state: 'crashed' }),
        status({ name: 'worker.1', type: 'worker' }),
        status({ name: 'web.3', endpoint: null }),
        status({ name: 'web.4', appId: 'a2' }),
      ],
      'localhost',
    );
    expect(routes[0]?.endpoints).toEqual([]);
  });
});
