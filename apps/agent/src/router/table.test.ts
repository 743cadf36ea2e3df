import { describe, expect, it } from 'vitest';
import { RouteTable } from './table.js';

const ep = (port: number) => ({ host: '127.0.0.1', port, name: `web.${port}` });
const servers = (t: RouteTable, app: string) => t.specs().find((a) => a.app === app)?.servers;

describe('RouteTable', () => {
  it('lists each app with its hosts (lower case, once) and servers', () => {
    const table = new RouteTable();
    table.replace([
      { app: 'a', hosts: ['A.localhost', 'www.example.com'], endpoints: [ep(1), ep(2)] },
      { app: 'b', hosts: ['b.localhost', 'www.example.com'], endpoints: [] },
    ]);
    expect(table.specs()).toEqual([
      {
        app: 'a',
        hosts: ['a.localhost', 'www.example.com'],
        servers: [
          { name: 'web.1', host: '127.0.0.1', port: 1, drain: false },
          { name: 'web.2', host: '127.0.0.1', port: 2, drain: false },
        ],
      },
      { app: 'b', hosts: ['b.localhost'], servers: [] },
    ]);
  });

  it('drains by container, forgets drains of gone containers, and adds local processes once', () => {
    let changes = 0;
    const table = new RouteTable(() => changes++);
    table.replace([{ app: 'a', hosts: ['a.localhost'], endpoints: [ep(1), ep(2), ep(3)] }]);
    table.drain('c2', ep(2));
    expect(servers(table, 'a')?.map((s) => s.drain)).toEqual([false, true, false]);
    // Still there (draining) when the api's table no longer lists it, until the container is gone.
    table.replace([{ app: 'a', hosts: ['a.localhost'], endpoints: [ep(1), ep(3)] }]);
    expect(servers(table, 'a')?.map((s) => [s.port, s.drain])).toEqual([
      [1, false],
      [3, false],
      [2, true],
    ]);
    table.release('c2');
    expect(servers(table, 'a')?.map((s) => s.port)).toEqual([1, 3]);
    table.replace([{ app: 'a', hosts: ['a.localhost'], endpoints: [ep(1), ep(2), ep(3)] }]);
    expect(servers(table, 'a')?.every((s) => !s.drain)).toBe(true);
    table.drain('c3', ep(3));
    table.keepOnly(new Set(['c1']));
    expect(servers(table, 'a')?.every((s) => !s.drain)).toBe(true);
    // A process of this host that is up is routed before the api's table lists it.
    table.setLocal(new Map([['a', [ep(4), ep(1)]]]));
    expect(servers(table, 'a')?.map((s) => s.port)).toEqual([1, 2, 3, 4]);
    expect(changes).toBe(8);
  });
});
