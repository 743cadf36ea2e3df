import type { DesiredService } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import type { ContainerInfo } from '../runtime/runtime.js';
import { planServices, readinessProbe, type ServiceHistory, serviceSpec, staleNetworks } from './plan.js';

const pg: DesiredService = {
  id: 'a1',
  name: 'postgresql-calm-12345',
  kind: 'postgres',
  image: 'paas/postgres:15',
  env: { POSTGRES_USER: 'u', POSTGRES_PASSWORD: 'p', POSTGRES_DB: 'd' },
  appIds: ['app1'],
  app: 'one',
};
const container = (over: Partial<ContainerInfo> = {}): ContainerInfo => ({
  id: 'c1',
  labels: { 'paas.service': 'a1' },
  running: true,
  exitCode: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  hostPort: null,
  networks: ['paas-app-app1'],
  ...over,
});
const memory = (ready: string[] = [], history = new Map<string, ServiceHistory>()) => ({
  history,
  ready: new Set(ready),
});
const NOW = Date.parse('2026-01-01T00:10:00.000Z');

describe('planServices', () => {
  it('creates a missing service, with its volume and on its apps’ networks', () => {
    const plan = planServices([pg], [], memory(), NOW);
    expect(plan.create).toEqual([pg]);
    expect(plan.statuses[0]?.state).toBe('starting');
    const spec = serviceSpec(pg, { 'paas.platform': 'p' });
    expect(spec.volume).toEqual({ name: 'paas-addon-a1', target: '/var/lib/postgresql/data' });
    expect(spec.networks).toEqual(['paas-app-app1']);
    expect(spec.alias).toBe('postgresql-calm-12345');
    expect(spec.labels['paas.service']).toBe('a1');
    expect(readinessProbe(pg)).toContain('pg_isready');
  });

  it('probes a running one until it is ready, then reports it up, and does nothing else', () => {
    const starting = planServices([pg], [container()], memory(), NOW);
    expect(starting.probe.map((p) => p.container.id)).toEqual(['c1']);
    const up = planServices([pg], [container()], memory(['c1']), NOW);
    expect(up.statuses[0]?.state).toBe('up');
    expect([up.create, up.restart, up.remove, up.connect, up.disconnect, up.probe].every((l) => l.length === 0)).toBe(
      true,
    );
  });

  it('restarts a container that died (same container: same volume), once per exit, with back-off', () => {
    const dead = container({ running: false, exitCode: 137, finishedAt: '2026-01-01T00:09:59.000Z' });
    const first = planServices([pg], [dead], memory(), NOW);
    expect(first.restart.map((r) => r.container.id)).toEqual(['c1']);
    expect(first.statuses[0]).toMatchObject({ state: 'crashed', restarts: 1 });
    // The same exit seen again is not a second crash.
    const again = planServices([pg], [dead], memory([], first.history), NOW);
    expect(again.statuses[0]?.restarts).toBe(1);
    // A second quick death waits for its back-off.
    const second = container({
      running: false,
      exitCode: 1,
      startedAt: '2026-01-01T00:09:59.500Z',
      finishedAt: '2026-01-01T00:10:00.000Z',
    });
    const later = planServices([pg], [second], memory([], first.history), NOW);
    expect(later.restart).toEqual([]);
    expect(later.wakeAt).toBe(NOW + 1000);
  });

  it('joins a newly attached app’s network and leaves a detached one, without a restart', () => {
    const both = { ...pg, appIds: ['app1', 'app2'] };
    const joined = planServices([both], [container()], memory(['c1']), NOW);
    expect(joined.connect.map((c) => c.network)).toEqual(['paas-app-app2']);
    const left = planServices([pg], [container({ networks: ['paas-app-app1', 'paas-app-app2'] })], memory(['c1']), NOW);
    expect(left.disconnect.map((c) => c.network)).toEqual(['paas-app-app2']);
    expect(left.restart).toEqual([]);
  });

  it('joins the networks the api names instead (swarm: the app overlays), leaving the bridge, no restart', () => {
    const swarm = { ...pg, networks: ['paas-app-app1-c'] };
    expect(serviceSpec(swarm, {}).networks).toEqual(['paas-app-app1-c']);
    const moved = planServices([swarm], [container({ networks: ['paas-app-app1'] })], memory(['c1']), NOW);
    expect(moved.connect.map((c) => [c.network, c.alias])).toEqual([['paas-app-app1-c', 'postgresql-calm-12345']]);
    expect(moved.disconnect.map((c) => c.network)).toEqual(['paas-app-app1']);
    expect(moved.restart).toEqual([]);
    expect(staleNetworks([{ name: 'paas-app-app1-c', containers: 0 }], new Set(), [swarm])).toEqual([]);
  });

  it('removes a service no longer desired with its volume, and nothing when told nothing', () => {
    const gone = planServices([], [container()], memory(), NOW);
    expect(gone.remove.map((c) => c.id)).toEqual(['c1']);
    expect(gone.removeVolumes).toEqual(['paas-addon-a1']);
    const untold = planServices(undefined, [container()], memory(), NOW);
    expect(untold.remove).toEqual([]);
    expect(untold.removeVolumes).toEqual([]);
  });

  it('keeps one container of a service: a running one over an exited duplicate', () => {
    const plan = planServices([pg], [container({ id: 'old', running: false }), container()], memory(['c1']), NOW);
    expect(plan.remove.map((c) => c.id)).toEqual(['old']);
    expect(plan.statuses[0]?.containerId).toBe('c1');
  });

  it('sweeps only app networks that are empty and needed by no desired process or service', () => {
    const networks = [
      { name: 'paas-app-app1', containers: 0 }, // the service's: kept
      { name: 'paas-app-app3', containers: 0 }, // a process's: kept
      { name: 'paas-app-gone', containers: 0 }, // stale
      { name: 'paas-app-busy', containers: 2 }, // someone is on it
      { name: 'bridge-of-someone', containers: 0 }, // not ours by name
    ];
    expect(staleNetworks(networks, new Set(['paas-app-app3']), [pg])).toEqual(['paas-app-gone']);
  });
});
