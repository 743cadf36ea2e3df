import type { DesiredProcess, DesiredService } from '@paas/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AppOverlayNetwork, OverlayEngine } from '../../docker-overlays.js';
import { AppOverlays, forAgents, overlayApps } from './swarm-overlays.js';

const proc = (appId: string, name: string, oneOff = false): DesiredProcess => ({
  key: `${appId}:${name}`,
  app: `app-${appId}`,
  appId,
  type: name.split('.')[0] ?? '',
  index: 1,
  name,
  release: { id: 'r1', version: 1 },
  image: 'sha256:abc',
  command: 'node server.js',
  env: {},
  stopTimeout: 10,
  generation: '',
  network: `paas-app-${appId}`,
  ...(oneOff ? { oneOff: { id: `o-${name}`, attach: true, tty: false, timeout: 60 } } : {}),
});
const pg = (appIds: string[]): { agentId: string; service: DesiredService } => ({
  agentId: 'ag1',
  service: {
    id: 's1',
    name: 'postgresql-calm-1',
    kind: 'postgres',
    image: 'paas/postgres:15',
    env: {},
    appIds,
    app: 'owner',
  },
});

describe('app overlays', () => {
  it('are needed by every app with a process, a one-off or an add-on attached', () => {
    const apps = overlayApps([proc('a', 'web.1'), proc('b', 'run.1', true)], [pg(['c', 'd'])]);
    expect([...apps]).toEqual([
      ['a', 'app-a'],
      ['b', 'app-b'],
      ['c', 'owner'],
      ['d', ''],
    ]);
  });

  it('put one-offs and add-ons on the overlays that exist; a one-off waits for its overlay', () => {
    const wanted = [proc('a', 'web.1'), proc('a', 'run.1', true), proc('b', 'release.1', true)];
    const out = forAgents(wanted, [pg(['a', 'b'])], [], new Set(['a']));
    // Formation processes are Swarm's; b's overlay is not made yet, so its one-off waits.
    expect(out.processes.map((p) => [p.key, p.network])).toEqual([['a:run.1', 'paas-app-a-c']]);
    // The add-on is never left out: b's bridge until b's overlay exists.
    expect(out.services[0]?.service.networks).toEqual(['paas-app-a-c', 'paas-app-b']);
  });

  it('keep the bridge for an app whose processes are still handed over from the agents', () => {
    const web = proc('a', 'web.1');
    const out = forAgents([web], [pg(['a'])], [web], new Set(['a']));
    expect(out.processes).toEqual([web]);
    expect(out.services[0]?.service.networks).toEqual(['paas-app-a-c', 'paas-app-a']);
  });
});

/** An in-memory overlay engine: the networks it holds, and those still in use. */
function engine(
  existing: AppOverlayNetwork[],
  inUse = new Set<string>(),
): OverlayEngine & { nets: AppOverlayNetwork[] } {
  const nets = [...existing];
  return {
    nets,
    listOverlays: async () => [...nets],
    createOverlay: async (name, labels) => {
      nets.push({ id: `id-${name}`, name, labels });
    },
    removeOverlay: async (id) => {
      if (inUse.has(id)) return false;
      nets.splice(
        nets.findIndex((n) => n.id === id),
        1,
      );
      return true;
    },
  };
}
const labelled = (appId: string) => ({
  id: `id-${appId}`,
  name: `paas-app-${appId}-c`,
  labels: { 'paas.platform': 'p1', 'paas.runtime': 'swarm', 'paas.app-id': appId },
});

describe('AppOverlays', () => {
  const log = pino({ level: 'silent' });

  it('reads what exists first (nothing is handed out before), makes what is missing, removes the unneeded', async () => {
    const e = engine([labelled('a'), labelled('gone')], new Set());
    const overlays = new AppOverlays({ engine: e, platformId: 'p1', log });
    expect(overlays.looked).toBe(false);
    // The first look counts as a change even when nothing is made: the agents are told then.
    expect(await overlays.ensure(new Map([['a', 'app-a']]))).toBe(true);
    expect(overlays.looked).toBe(true);
    expect(await overlays.ensure(new Map([['a', 'app-a']]))).toBe(false);
    expect(
      await overlays.ensure(
        new Map([
          ['a', 'app-a'],
          ['b', 'app-b'],
        ]),
      ),
    ).toBe(true);
    expect(e.nets.find((n) => n.name === 'paas-app-b-c')?.labels).toMatchObject({
      'paas.platform': 'p1',
      'paas.app-id': 'b',
      'paas.app': 'app-b',
    });
    await overlays.sweep(
      () =>
        new Map([
          ['a', 'app-a'],
          ['b', 'app-b'],
        ]),
    );
    expect(e.nets.map((n) => n.name).sort()).toEqual(['paas-app-a-c', 'paas-app-b-c']);
    expect([...overlays.ready].sort()).toEqual(['a', 'b']);
  });

  it('keeps trying to remove one still in use, and hands it to nobody meanwhile', async () => {
    const e = engine([labelled('a')], new Set(['id-a']));
    const overlays = new AppOverlays({ engine: e, platformId: 'p1', log });
    await overlays.ensure(new Map());
    expect(overlays.ready.has('a')).toBe(true);
    await overlays.sweep(() => new Map());
    expect(overlays.ready.has('a')).toBe(false);
    expect(e.nets).toHaveLength(1);
  });
});
