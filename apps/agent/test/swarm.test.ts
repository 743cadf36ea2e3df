/**
 * PAAS_RUNTIME=swarm on the host's engine as a single-node Swarm: each (app, process type) of
 * the current release is a service; scale, config changes, restarts of the api and destroy
 * converge it; `ps` shows the tasks as web.1…; the agent's router serves them.
 */
import { deployRouted, eventually, loggedInHome, routerGet, run, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const SERVER = `const http = require('node:http');
const server = http.createServer((_q, s) => s.end(JSON.stringify({ dyno: process.env.DYNO, release: process.env.PAAS_RELEASE, t: process.env.TEMPLATED || null })));
server.listen(process.env.PORT, () => console.log('listening as ' + process.env.DYNO));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;
const FILES = {
  'server.js': SERVER,
  'worker.js': `setInterval(() => console.log('worker tick'), 1000); process.on('SIGTERM', () => process.exit(0));\n`,
  Procfile: 'web: node server.js\nworker: node worker.js\n',
};

interface Service {
  ID: string;
  Spec: {
    Name: string;
    Labels: Record<string, string>;
    Mode: { Replicated: { Replicas: number } };
    TaskTemplate: {
      ContainerSpec: { StopGracePeriod: number; Init: boolean };
      Resources: { Limits: { MemoryBytes: number } };
    };
    UpdateConfig: { Order: string; FailureAction: string };
  };
}

async function services(platformId: string): Promise<Service[]> {
  const ids = (await run('docker', ['service', 'ls', '-q', '--filter', `label=paas.platform=${platformId}`])).stdout
    .split('\n')
    .filter(Boolean);
  if (!ids.length) return [];
  return JSON.parse((await run('docker', ['service', 'inspect', ...ids])).stdout) as Service[];
}

async function taskIds(platformId: string): Promise<string[]> {
  const ids = (await services(platformId)).map((s) => s.ID);
  if (!ids.length) return [];
  const out = await run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', ...ids]);
  return out.stdout.split('\n').filter(Boolean).sort();
}

it('runs the formation as Swarm services: scale, ps, routing, config change, api restart, destroy', async () => {
  const platform = await startPlatform({ env: { PAAS_RUNTIME: 'swarm', PAAS_STOP_TIMEOUT: '7' } });
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, host, cli } = await deployRouted(home, agent, 'swarm', FILES, 60_000);

    // One service for web (the formation's 1), none for the worker at 0.
    const [web] = await services(platform.platformId);
    expect(await services(platform.platformId)).toHaveLength(1);
    expect(web?.Spec.Labels).toMatchObject({ 'paas.app': app, 'paas.type': 'web', 'paas.release': '1' });
    expect(web?.Spec.Mode.Replicated.Replicas).toBe(1);
    expect(web?.Spec.TaskTemplate.ContainerSpec.StopGracePeriod).toBe(7e9);
    expect(web?.Spec.TaskTemplate.ContainerSpec.Init).toBe(true);
    expect(web?.Spec.TaskTemplate.Resources.Limits.MemoryBytes).toBe(512 * 2 ** 20);
    expect(web?.Spec.UpdateConfig).toMatchObject({ Order: 'start-first', FailureAction: 'rollback' });

    // Scale: replicas follow; each task is its own process, DYNO by slot, all routed.
    expect((await cli('ps:scale', 'web=3', 'worker=1')).code).toBe(0);
    const dynos = await eventually(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 12; i++) seen.add(JSON.parse((await routerGet(agent.routerPort, host)).text).dyno);
        return seen.size === 3 ? [...seen].sort() : undefined;
      },
      60_000,
      'three web tasks answering through the router',
    );
    expect(dynos).toEqual(['web.1', 'web.2', 'web.3']);
    const ps = await eventually(
      async () => {
        const out = (await cli('ps')).stdout;
        return /web\.3\s+up/.test(out) && /worker\.1\s+up/.test(out) ? out : undefined;
      },
      30_000,
      'ps showing the tasks up',
    );
    expect(ps).toMatch(/web\.1\s+up/);
    expect(ps).toMatch(/web\.2\s+up/);
    expect((await services(platform.platformId)).map((s) => s.Spec.Mode.Replicated.Replicas).sort()).toEqual([1, 3]);

    // The agent ships the tasks' output and says their events, under the slot's name.
    const logs = await eventually(
      async () => {
        const out = (await cli('logs', '-n', '300')).stdout;
        const want = [
          /app\[web\.3\]: listening as web\.3$/m,
          /app\[worker\.1\]: worker tick$/m,
          /paas\[web\.2\]: Starting process with command `node server\.js`$/m,
          /paas\[web\.2\]: State changed from starting to up$/m,
          /paas\[worker\.1\]: State changed from starting to up$/m,
        ];
        return want.every((w) => w.test(out)) ? out : undefined;
      },
      30_000,
      'task output and events in the log',
    );
    expect(logs).toMatch(/paas\[router\]: .*dyno=web\.[123]/);

    // A config change is a new release: the service rolls to it (start-first for web). A value
    // with {{ }} stays literal (Swarm would expand it as a template).
    expect((await cli('config:set', 'TEMPLATED={{.Node.ID}}')).code).toBe(0);
    await eventually(
      async () => {
        const answers = [];
        for (let i = 0; i < 6; i++) answers.push(JSON.parse((await routerGet(agent.routerPort, host)).text));
        return answers.every((a) => a.release === 'v2' && a.t === '{{.Node.ID}}');
      },
      90_000,
      'every web task on v2',
    );

    // An api killed and started again re-reads the services: nothing is replaced.
    const before = await eventually(
      async () => {
        const ids = await taskIds(platform.platformId);
        return ids.length === 4 ? ids : undefined;
      },
      60_000,
      'four running tasks (old ones gone)',
    );
    const serviceIds = (await services(platform.platformId)).map((s) => s.ID).sort();
    await platform.restart('SIGKILL');
    // ps shows tasks up only from a pass of the restarted api (its actions come before its listing).
    await eventually(async () => /worker\.1\s+up/.test((await cli('ps')).stdout), 30_000, 'ps after the restart');
    expect(await taskIds(platform.platformId)).toEqual(before);
    expect((await services(platform.platformId)).map((s) => s.ID).sort()).toEqual(serviceIds);

    // Scaled to zero, the worker's service goes; destroyed, the app's last one does.
    expect((await cli('ps:scale', 'worker=0')).code).toBe(0);
    await eventually(async () => (await services(platform.platformId)).length === 1, 30_000, 'the worker service gone');
    expect((await cli('apps:destroy', '--confirm', app)).code).toBe(0);
    await eventually(async () => (await services(platform.platformId)).length === 0, 30_000, 'no service left');
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 300_000);
