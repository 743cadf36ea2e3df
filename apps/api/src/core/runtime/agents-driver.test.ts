import path from 'node:path';
import type { ApiMessage, DesiredProcess, ProcessStatus } from '@paas/shared';
import { tempDir } from '@paas/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { insertApp } from '../../store/apps.js';
import { migrate, openDb } from '../../store/db.js';
import { AgentRegistry } from './agent-registry.js';
import { AgentsDriver } from './agents-driver.js';

function setUp(timeoutMs = 60_000) {
  const db = openDb(path.join(tempDir('paas-runtime-'), 'paas.db'));
  migrate(db);
  appId = insertApp(db, 'shop').id;
  const log = pino({ level: 'silent' });
  const agents = new AgentRegistry({ db, log, platformId: 'p1', timeoutMs });
  const driver = new AgentsDriver({ db, log, agents });
  const inbox = new Map<string, ApiMessage[]>();
  const join = (id: string) => {
    inbox.set(id, []);
    const send = (m: ApiMessage) => inbox.get(id)?.push(m);
    agents.connect({ agentId: id, hostname: id, capacity: 100 }, send);
    return send;
  };
  const desired = (id: string) =>
    inbox
      .get(id)
      ?.filter((m) => m.type === 'desired')
      .map((m) => (m.type === 'desired' ? m.processes.map((p) => p.name) : []));
  return { db, agents, driver, inbox, join, desired };
}

let appId = '';
const wanted = (n: number): DesiredProcess[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `${appId}:web.${i + 1}`,
    app: 'shop',
    appId,
    type: 'web',
    index: i + 1,
    name: `web.${i + 1}`,
    release: { id: 'r1', version: 1 },
    image: 'sha256:abc',
    command: null,
    env: {},
    stopTimeout: 30,
    generation: '',
  }));

const up = (w: DesiredProcess): ProcessStatus => ({
  ...w,
  state: 'up',
  since: '2026-01-01T00:00:00Z',
  exitCode: null,
  restarts: 0,
  containerId: 'c',
  endpoint: null,
});

describe('AgentRegistry + AgentsDriver', () => {
  it('welcomes an agent and sends each agent only its share, once while unchanged', () => {
    const { agents, driver, inbox, join, desired } = setUp();
    const changes: boolean[] = [];
    agents.subscribe((urgent) => changes.push(urgent));
    join('x');
    join('y');
    expect(inbox.get('x')?.[0]).toEqual({ type: 'welcome', platformId: 'p1' });
    expect(changes).toEqual([true, true]);
    driver.apply(wanted(4));
    driver.apply(wanted(4));
    expect(desired('x')).toEqual([['web.1', 'web.3']]);
    expect(desired('y')).toEqual([['web.2', 'web.4']]);
    expect(driver.placements().get(`${appId}:web.2`)).toBe('y');
  });

  it("moves a gone agent's processes once the timeout has passed, and forgets its reports", async () => {
    const { agents, driver, join, desired } = setUp(50);
    const sendX = join('x');
    join('y');
    driver.apply(wanted(2));
    agents.report('x', [up(wanted(2)[0] as DesiredProcess)]);
    expect(driver.reported().map((d) => [d.name, d.agent])).toEqual([['web.1', 'x']]);
    agents.disconnect('x', sendX);
    driver.apply(wanted(2));
    expect(desired('y')).toEqual([['web.2']]); // x may come back: its process stays placed there
    await new Promise((r) => setTimeout(r, 80));
    driver.apply(wanted(2));
    expect(desired('y')?.at(-1)).toEqual(['web.1', 'web.2']);
    expect(driver.reported()).toEqual([]);
  });

  it('ignores a stale connection closing after the agent reconnected', () => {
    const { agents, driver, join, desired } = setUp();
    const first = join('x');
    join('x');
    agents.disconnect('x', first);
    driver.apply(wanted(1));
    expect(desired('x')).toEqual([['web.1']]);
  });

  it('stops the processes of a type or a name on the agents that run them', () => {
    const { agents, driver, inbox, join } = setUp();
    join('x');
    driver.apply(wanted(2));
    const [w1, w2] = wanted(2) as [DesiredProcess, DesiredProcess];
    agents.report('x', [up(w1), up(w2), { ...up(w1), key: 'a2:web.1', appId: 'a2' }]);
    expect(driver.stop(appId, 'web.2')).toBe(1);
    expect(driver.stop(appId, 'web')).toBe(2);
    expect(driver.stop(appId, 'worker')).toBe(0);
    expect(inbox.get('x')?.filter((m) => m.type === 'stop')).toEqual([
      { type: 'stop', keys: [`${appId}:web.2`] },
      { type: 'stop', keys: [`${appId}:web.1`, `${appId}:web.2`] },
    ]);
  });

  it('reports a change only when the statuses differ, and sends routes once while unchanged', () => {
    const { agents, driver, inbox, join } = setUp();
    join('x');
    driver.apply(wanted(1));
    const changes: boolean[] = [];
    agents.subscribe((urgent) => changes.push(urgent));
    const status = up(wanted(1)[0] as DesiredProcess);
    agents.report('x', [status]);
    agents.report('x', [status]);
    expect(changes).toEqual([false]);
    const routes = [{ app: 'shop', hosts: ['shop.localhost'], endpoints: [] }];
    agents.sendRoutes(routes);
    agents.sendRoutes(routes);
    expect(inbox.get('x')?.filter((m) => m.type === 'routes')).toHaveLength(1);
  });

  it("takes an agent's statuses only for the processes placed on it, and endpoints only on its address", () => {
    const { db, agents, driver } = setUp();
    const closed: string[] = [];
    const link = (id: string, remote: string) => ({
      identity: { agentId: id, secretHash: '' },
      remote,
      close: (why: string) => {
        closed.push(why);
      },
    });
    agents.connect({ agentId: 'x', hostname: 'x', capacity: 100 }, () => {}, link('x', '10.0.0.5'));
    agents.connect({ agentId: 'y', hostname: 'y', capacity: 100 }, () => {}, link('y', '::ffff:127.0.0.1'));
    driver.apply(wanted(2)); // web.1 on x, web.2 on y
    const [w1, w2] = wanted(2) as [DesiredProcess, DesiredProcess];
    const at = (host: string) => ({ host, port: 40000 });
    // y claims x's web.1 at its own address, and its own web.2 at another host's address.
    agents.report('y', [
      { ...up(w1), endpoint: at('127.0.0.1') },
      { ...up(w2), endpoint: at('10.0.0.9') },
    ]);
    agents.report('x', [{ ...up(w1), endpoint: at('10.0.0.5') }]);
    expect(driver.reported().map((d) => [d.name, d.agent, d.endpoint?.host ?? null])).toEqual([
      ['web.1', 'x', '10.0.0.5'],
      ['web.2', 'y', null],
    ]);
    // A loopback connection: endpoints on loopback only.
    agents.report('y', [{ ...up(w2), endpoint: at('127.0.0.1') }]);
    expect(driver.reported().find((d) => d.name === 'web.2')?.endpoint?.host).toBe('127.0.0.1');
    // The credential is gone: the next pass cuts the agent off.
    expect(closed).toEqual([]);
    agents.cutOffRevoked();
    expect(closed).toHaveLength(2); // neither test credential is in the store
    expect(db.open).toBe(true);
  });
});
