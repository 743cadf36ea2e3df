import { describe, expect, it } from 'vitest';
import { RouteTable } from './table.js';

const ep = (port: number) => ({ host: '127.0.0.1', port, name: `web.${port}` });

describe('RouteTable', () => {
  const table = new RouteTable();
  table.replace([
    { app: 'a', hosts: ['a.localhost', 'www.example.com'], endpoints: [ep(1), ep(2), ep(3)] },
    { app: 'b', hosts: ['b.localhost'], endpoints: [] },
  ]);

  it('finds the app by Host, ignoring case, port and a trailing dot', () => {
    expect(table.lookup('A.localhost:8080')?.app).toBe('a');
    expect(table.lookup('www.example.com.')?.app).toBe('a');
    expect(table.lookup('nope.localhost')).toBeUndefined();
    expect(table.lookup(undefined)).toBeUndefined();
  });

  it('goes round-robin and leaves draining endpoints out', () => {
    const a = table.lookup('a.localhost');
    if (!a) throw new Error('no routes');
    const firsts = [1, 2, 3, 4].map(() => table.pick(a)[0]?.port);
    expect(new Set(firsts)).toEqual(new Set([1, 2, 3]));
    expect(table.pick(a)).toHaveLength(3);
    table.drain('c2', ep(2));
    expect(table.pick(a).map((e) => e.port)).not.toContain(2);
    table.release('c2');
    expect(table.pick(a).map((e) => e.port)).toContain(2);
    // A drain of a container that is gone is forgotten: a new process on its port serves.
    table.drain('c3', ep(3));
    expect(table.pick(a).map((e) => e.port)).not.toContain(3);
    table.keepOnly(new Set(['c1']));
    expect(table.pick(a).map((e) => e.port)).toContain(3);
    // A process of this host that is up is routed before the api's table lists it.
    table.setLocal(new Map([['a', [ep(4), ep(1)]]]));
    expect(new Set(table.pick(a).map((e) => e.port))).toEqual(new Set([1, 2, 3, 4]));
    table.setLocal(new Map());
    expect(table.pick(table.lookup('b.localhost') ?? a)).toEqual([]);
  });
});
