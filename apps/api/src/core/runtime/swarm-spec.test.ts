import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DesiredProcess } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import type { SwarmService } from '../../docker-swarm.js';
import { gatedCommand, taskCommand } from './swarm-command.js';
import {
  escapeTemplate,
  rolledBack,
  SWARM_LABELS,
  serviceActions,
  serviceName,
  type WantedService,
  wantedServices,
} from './swarm-spec.js';

const NS = 1e9;
const proc = (name: string, extra: Partial<DesiredProcess> = {}): DesiredProcess => {
  const [type = '', index = '1'] = name.split('.');
  return {
    key: `a1:${name}`,
    app: 'shop',
    appId: 'a1',
    type,
    index: Number(index),
    name,
    release: { id: 'r3', version: 3 },
    image: 'sha256:abc',
    command: type === 'web' ? 'node server.js' : 'node worker.js',
    env: { FOO: 'bar', PORT: '5000', DYNO: name, PAAS_RELEASE: 'v3' },
    stopTimeout: 12,
    generation: '',
    healthCheckPath: null,
    ...(type === 'web' ? { bootTimeout: 60 } : {}),
    ...extra,
  };
};
const options = { platformId: 'p-123456789', maxNanoCpus: 2 * NS };

const existing = (w: WantedService, extra: Partial<SwarmService> = {}): SwarmService => ({
  id: `id-${w.key}`,
  version: 7,
  name: w.spec.Name,
  labels: w.spec.Labels,
  replicas: w.spec.Mode.Replicated.Replicas,
  updateState: null,
  updateMessage: null,
  ...extra,
});

describe('wantedServices', () => {
  it('makes one service per app and type, replicas = the formation, one-offs left to the agents', () => {
    const services = wantedServices(
      [
        proc('web.1'),
        proc('web.2'),
        proc('web.3'),
        proc('worker.1'),
        proc('run.1', { oneOff: { id: 'o', attach: true, tty: false, timeout: 60 } }),
      ],
      options,
    );
    expect(services.map((s) => [s.key, s.spec.Mode.Replicated.Replicas])).toEqual([
      ['a1:web', 3],
      ['a1:worker', 1],
    ]);
  });

  it('runs the release: image, command through sh, env with DYNO per slot, labels, grace, limits', () => {
    const [web, worker] = wantedServices([proc('web.1'), proc('worker.1')], options);
    const c = web?.spec.TaskTemplate.ContainerSpec;
    expect(c?.Image).toBe('sha256:abc');
    // The Procfile command is the CMD (Args): the image's ENTRYPOINT stays, as on the agents
    // (an image not read: ungated; with its facts, below, the program goes behind the start gate).
    expect(c?.Args).toEqual(['/bin/sh', '-c', 'exec node server.js']);
    expect(c?.Command).toBeUndefined();
    expect(c?.Env).toContain('DYNO=web.{{.Task.Slot}}');
    expect(c?.Env).toContain('FOO=bar');
    expect(c?.Env).toContain('PORT=5000');
    expect(c?.Init).toBe(true);
    expect(c?.StopGracePeriod).toBe(12 * NS);
    expect(web?.spec.Labels).toMatchObject({
      'paas.platform': 'p-123456789',
      'paas.app': 'shop',
      'paas.app-id': 'a1',
      'paas.type': 'web',
      'paas.release-id': 'r3',
      'paas.release': '3',
      [SWARM_LABELS.runtime]: 'swarm',
    });
    // Basic: 512 MB, one CPU, 256 pids.
    expect(web?.spec.TaskTemplate.Resources.Limits).toEqual({
      NanoCPUs: 1 * NS,
      MemoryBytes: 512 * 2 ** 20,
      Pids: 256,
    });
    // An image not read: no start gate, so Swarm's own fixed delay (gated: at once, below).
    expect(web?.spec.TaskTemplate.RestartPolicy).toMatchObject({ Condition: 'any', MaxAttempts: 0, Delay: 2 * NS });
    // Confined as the agents' containers are: few capabilities, a bounded log.
    expect(web?.spec.TaskTemplate.ContainerSpec).toMatchObject({
      CapabilityDrop: ['ALL'],
      CapabilityAdd: expect.arrayContaining(['CHOWN', 'SETUID', 'NET_BIND_SERVICE']),
    });
    expect(web?.spec.TaskTemplate.ContainerSpec.CapabilityAdd).not.toContain('NET_RAW');
    expect(web?.spec.TaskTemplate.LogDriver).toEqual({
      Name: 'json-file',
      Options: { 'max-size': '10m', 'max-file': '3' },
    });
    // Web: start-first behind a health check, its port published on its node; others stop-first.
    expect(web?.spec.UpdateConfig).toMatchObject({ Order: 'start-first', FailureAction: 'rollback' });
    expect(c?.Healthcheck?.Test[0]).toBe('CMD-SHELL');
    // Ungated (its image not read): Docker's own verdict after the boot timeout (gated, below).
    expect(c?.Healthcheck?.StartPeriod).toBe(60 * NS);
    expect(web?.spec.EndpointSpec.Ports).toEqual([{ Protocol: 'tcp', TargetPort: 5000, PublishMode: 'host' }]);
    expect(worker?.spec.UpdateConfig).toMatchObject({ Order: 'stop-first', FailureAction: 'rollback' });
    expect(worker?.spec.TaskTemplate.ContainerSpec.Healthcheck).toEqual({ Test: ['NONE'] });
    expect(worker?.spec.EndpointSpec.Ports).toEqual([]);
  });

  it('gates the program when the image is known; an unknown one keeps Swarm’s fixed delay', () => {
    const [web] = wantedServices([proc('web.1', { command: null })], options);
    const c = web?.spec.TaskTemplate.ContainerSpec;
    expect(c?.Command).toBeUndefined();
    expect(c?.Labels[SWARM_LABELS.gated]).toBeUndefined();
    expect(web?.spec.TaskTemplate.RestartPolicy.Delay).toBe(2 * NS);
    expect(c?.Healthcheck?.StartPeriod).toBe(60 * NS);
    const image = { user: 'node', entrypoint: ['docker-entrypoint.sh'], cmd: ['node', 'server.js'], setpriv: null };
    const facts = new Map([['a1:web', image]]);
    const [known] = wantedServices([proc('web.1', { command: null })], { ...options, facts });
    const k = known?.spec.TaskTemplate.ContainerSpec;
    expect(k?.Command).toEqual(gatedCommand(['docker-entrypoint.sh', 'node', 'server.js']));
    expect(k?.Labels).toMatchObject({ [SWARM_LABELS.gated]: '1', [SWARM_LABELS.bootTimeout]: '60' });
    expect(k?.User).toBeUndefined(); // the image's USER
    // The agent says R10 past the boot timeout from the gate's opening; Docker's own verdict
    // only after the longest back-off too (a node without its agent).
    expect(k?.Healthcheck?.StartPeriod).toBe((60 + 300) * NS);
    expect(known?.spec.TaskTemplate.RestartPolicy.Delay).toBe(0);
  });

  it('the gate runs the process with its arguments intact once the agent says how long to wait', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-'));
    const file = path.join(dir, 'gate');
    fs.writeFileSync(file, '0\n');
    const [sh, ...args] = gatedCommand(['printf', '%s|', 'a b', '$HOME', "it's"], file) as [string, ...string[]];
    expect(execFileSync(sh, args).toString()).toBe("a b|$HOME|it's|");
    fs.rmSync(dir, { recursive: true });
  });

  it("joins each app's own overlay network, reachable there by its type", () => {
    const [web] = wantedServices([proc('web.1')], options);
    expect(web?.spec.TaskTemplate.Networks).toEqual([{ Target: 'paas-app-a1-c', Aliases: ['web'] }]);
    expect(web?.spec.EndpointSpec.Mode).toBe('dnsrr'); // `web` answers with the tasks' addresses
    expect(web?.spec.TaskTemplate.ContainerSpec.Labels['paas.size']).toBe('Basic');
  });

  it('runs an image without USER as the app user, and the program under setpriv --no-new-privs', () => {
    const facts = { user: '', entrypoint: ['/entry'], cmd: ['node'], setpriv: '/usr/bin/setpriv' };
    expect(taskCommand('node server.js', facts)).toEqual({
      container: {
        Command: gatedCommand(['/usr/bin/setpriv', '--no-new-privs', '/entry', '/bin/sh', '-c', 'exec node server.js']),
        User: '1000:1000',
      },
      gated: true,
    });
    // The image's own CMD when the Procfile has none; the image's USER kept.
    expect(taskCommand(null, { ...facts, entrypoint: null, user: 'nobody' })).toEqual({
      container: { Command: gatedCommand(['/usr/bin/setpriv', '--no-new-privs', 'node']) },
      gated: true,
    });
    // No setpriv in the image: the command as the agents run it (ENTRYPOINT first), still not as root.
    expect(taskCommand('node server.js', { ...facts, setpriv: null })).toEqual({
      container: { Command: gatedCommand(['/entry', '/bin/sh', '-c', 'exec node server.js']), User: '1000:1000' },
      gated: true,
    });
    const map = new Map([['a1:web', facts]]);
    const [web] = wantedServices([proc('web.1')], { ...options, facts: map });
    expect(web?.spec.TaskTemplate.ContainerSpec.User).toBe('1000:1000');
    expect(web?.spec.TaskTemplate.ContainerSpec.Command?.slice(4, 6)).toEqual(['/usr/bin/setpriv', '--no-new-privs']);
  });

  it("takes a size's limits from the shared table, CPUs capped at the smallest node", () => {
    const [big] = wantedServices([proc('web.1', { size: 'Performance-L' } as Partial<DesiredProcess>)], options);
    expect(big?.spec.TaskTemplate.Resources.Limits).toEqual({
      NanoCPUs: 2 * NS,
      MemoryBytes: 14336 * 2 ** 20,
      Pids: 32768,
    });
  });

  it("pins tasks to the api's node when there is no registry to pull from", () => {
    const [pinned] = wantedServices([proc('web.1')], { ...options, pinToNode: 'n1' });
    expect(pinned?.spec.TaskTemplate.Placement).toEqual({ Constraints: ['node.id==n1'] });
    expect(wantedServices([proc('web.1')], options)[0]?.spec.TaskTemplate.Placement).toBeUndefined();
  });

  it('keeps a config var with {{ literal (Swarm expands templates in env)', () => {
    expect(escapeTemplate('a{{b}}c')).toBe('a{{"{{"}}b}}c');
    const [web] = wantedServices([proc('web.1', { env: { T: '{{.Node.ID}}', DYNO: 'web.1' } })], options);
    expect(web?.spec.TaskTemplate.ContainerSpec.Env).toContain('T={{"{{"}}.Node.ID}}');
  });

  it('names services readably, uniquely per platform, app and type, within 63 characters', () => {
    const long = serviceName('p1', 'a1', 'a'.repeat(30), 'b'.repeat(30));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(serviceName('p1', 'a1', 'shop', 'web')).toMatch(/^shop-web-[0-9a-f]{10}$/);
    expect(serviceName('p2', 'a1', 'shop', 'web')).not.toBe(serviceName('p1', 'a1', 'shop', 'web'));
  });

  it('changes the spec hash for a new release, config, restart or scale, and only then', () => {
    const hash = (ps: DesiredProcess[]) => wantedServices(ps, options)[0]?.hash;
    const base = hash([proc('web.1')]);
    expect(hash([proc('web.1'), proc('web.2')])).not.toBe(base); // replicas are in the spec too
    expect(hash([proc('web.1')])).toBe(base);
    expect(hash([proc('web.1', { release: { id: 'r4', version: 4 } })])).not.toBe(base);
    expect(hash([proc('web.1', { env: { FOO: 'baz', DYNO: 'web.1' } })])).not.toBe(base);
    expect(hash([proc('web.1', { generation: '2026-01-01T00:00:00Z' })])).not.toBe(base);
  });
});

describe('serviceActions', () => {
  const wanted = wantedServices([proc('web.1'), proc('web.2'), proc('worker.1')], options);
  const [web, worker] = wanted as [WantedService, WantedService];

  it('creates what is missing and nothing more once converged (idempotent)', () => {
    expect(serviceActions(wanted, []).map((a) => a.kind)).toEqual(['create', 'create']);
    expect(serviceActions(wanted, [existing(web), existing(worker)])).toEqual([]);
  });

  it('updates a changed spec, and removes services of types scaled to zero or apps destroyed', () => {
    const old = existing(web, { labels: { ...web.spec.Labels, [SWARM_LABELS.spec]: 'old' } });
    const gone = existing(worker, { id: 'gone', labels: { ...worker.spec.Labels, 'paas.app-id': 'a9' } });
    const actions = serviceActions([web], [old, gone]);
    expect(actions.map((a) => [a.kind, 'id' in a ? a.id : ''])).toEqual([
      ['remove', 'gone'],
      ['update', 'id-a1:web'],
    ]);
    expect(actions[1]).toMatchObject({ version: 7 });
  });

  it('does not retry an update Swarm rolled back, but still scales the service', () => {
    const rolled = existing(web, {
      labels: { ...web.spec.Labels, [SWARM_LABELS.spec]: 'previous' },
      updateState: 'rollback_completed',
      replicas: 1,
    });
    const failed = rolledBack([rolled], new Map([['a1:web', web.hash]]));
    expect(failed).toEqual(new Map([['a1:web', web.hash]]));
    expect(serviceActions([web], [rolled], failed)).toEqual([
      { kind: 'scale', id: 'id-a1:web', version: 7, replicas: 2 },
    ]);
    // Not a rollback of ours: nothing was written (an api restarted) or the state is another.
    expect(rolledBack([rolled], new Map())).toEqual(new Map());
    expect(rolledBack([{ ...rolled, updateState: 'completed' }], new Map([['a1:web', web.hash]]))).toEqual(new Map());
  });
});
