/**
 * A three-node Swarm on one machine: the host's engine (manager) and two Docker-in-Docker
 * workers, the platform's registry (images reach every node), an agent per node (the workers'
 * agents run on the host against their node's engine). `ps:scale web=6` spreads over the
 * nodes and the router serves all six; draining a worker moves its tasks with no failed
 * request under load; a worker that disappears has its tasks rescheduled by Swarm. `ps:stop`
 * of a process on a worker stops that one task, through the worker's agent.
 */
import {
  deployRouted,
  eventually,
  loggedInHome,
  type Registry,
  routerGet,
  run,
  type SwarmNode,
  startPlatform,
  startRegistry,
  startSwarmNode,
} from '@paas/testkit';
import { expect, it } from 'vitest';

const SERVER = `const http = require('node:http');
const server = http.createServer((_q, s) => s.end(JSON.stringify({ dyno: process.env.DYNO, node: require('node:os').hostname() })));
server.listen(process.env.PORT, () => console.log('listening as ' + process.env.DYNO));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** Node id → how many of the service's tasks Swarm wants running and are running there. */
async function spread(platformId: string): Promise<Map<string, number>> {
  const ids = (await run('docker', ['service', 'ls', '-q', '--filter', `label=paas.platform=${platformId}`])).stdout
    .split('\n')
    .filter(Boolean);
  const counts = new Map<string, number>();
  if (!ids.length) return counts;
  const { stdout } = await run('docker', [
    'service',
    'ps',
    '--filter',
    'desired-state=running',
    '--format',
    '{{.Node}} {{.CurrentState}}',
    ...ids,
  ]);
  for (const line of stdout.split('\n').filter((l) => / Running /.test(l))) {
    const node = line.split(' ')[0] ?? '';
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/** Every task of the platform's services, with its node, state and error (for a failure's message). */
async function tasks(platformId: string): Promise<string> {
  const ids = (await run('docker', ['service', 'ls', '-q', '--filter', `label=paas.platform=${platformId}`])).stdout
    .split('\n')
    .filter(Boolean);
  if (!ids.length) return 'no services';
  return (
    await run('docker', [
      'service',
      'ps',
      '--no-trunc',
      '--format',
      '{{.Name}} {{.Node}} {{.CurrentState}} {{.Error}}',
      ...ids,
    ])
  ).stdout;
}

it('spreads web=6 over three nodes, serves all six, drains a worker and survives losing one', async () => {
  const platform = await startPlatform({ env: { PAAS_RUNTIME: 'swarm' } });
  const nodes: SwarmNode[] = [];
  let registry: Registry | undefined;
  try {
    // The registry needs the platform's CA, which the api made at its first start.
    registry = await startRegistry(platform.dataDir);
    await platform.restart('SIGTERM', { PAAS_REGISTRY: registry.address });
    for (const name of ['w1', 'w2']) {
      nodes.push(
        await startSwarmNode({
          name: `paas-node-${platform.platformId.slice(0, 8)}-${name}`,
          platformId: platform.platformId,
          trust: { [registry.address]: registry.caFile },
        }),
      );
    }
    const [w1, w2] = nodes as [SwarmNode, SwarmNode];
    const agent = await platform.startAgent('agent-host');
    for (const node of nodes) {
      await platform.startAgent(`agent-${node.name}`, { DOCKER_HOST: node.dockerHost, PAAS_ROUTER_PORT: '0' });
    }
    const home = await loggedInHome(platform);
    const { app, host, cli } = await deployRouted(home, agent, 'cluster', { 'server.js': SERVER }, 120_000);

    // web=6: Swarm spreads the tasks, two per node; the router serves all six.
    expect((await cli('ps:scale', 'web=6')).code).toBe(0);
    const counts = await eventually(
      async () => {
        const c = await spread(platform.platformId);
        return [...c.values()].reduce((a, b) => a + b, 0) === 6 && c.size === 3 ? c : undefined;
      },
      180_000,
      'six tasks running over three nodes',
    ).catch(async (err) => {
      throw new Error(`${err.message}\n${await tasks(platform.platformId)}\n${platform.logs().slice(-3000)}`);
    });
    expect([...counts.values()].sort()).toEqual([2, 2, 2]);
    const six = async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 6; i++)
        seen.add(JSON.parse((await routerGet(agent.routerPort, host)).text).dyno);
      return seen.size === 6 ? [...seen].sort() : undefined;
    };
    expect(await eventually(six, 60_000, 'six processes answering')).toEqual([
      'web.1',
      'web.2',
      'web.3',
      'web.4',
      'web.5',
      'web.6',
    ]);
    // The workers' agents ship their tasks' output.
    await eventually(
      async () => {
        const out = (await cli('logs', '-n', '300')).stdout;
        return [1, 2, 3, 4, 5, 6].every((n) => out.includes(`app[web.${n}]: listening as web.${n}`));
      },
      60_000,
      'every task said it listens',
    );

    // ps:stop of a process on a worker: the agent of that node stops its container (the api's
    // engine, the manager, cannot), and Swarm starts the slot again; the other five stay.
    const hostname = async (n: SwarmNode) =>
      (await run('docker', ['node', 'inspect', '-f', '{{.Description.Hostname}}', n.nodeId])).stdout.trim();
    const w1Name = await hostname(w1);
    type Dyno = { name: string; id: string; agent: string; state: string };
    const dynos = async () => (await platform.api<Dyno[]>('GET', `/apps/${app}/dynos`)).body;
    const before = await dynos();
    const onWorker = before.find((d) => d.agent === w1Name && d.state === 'up');
    expect(onWorker, JSON.stringify(before)).toBeDefined();
    const stop = await cli('ps:stop', onWorker?.name ?? '');
    expect(stop.code, stop.stderr).toBe(0);
    const after = await eventually(
      async () => {
        const list = await dynos();
        const again = list.find((d) => d.name === onWorker?.name);
        return list.length === 6 && list.every((d) => d.state === 'up') && again && again.id !== onWorker?.id
          ? list
          : undefined;
      },
      120_000,
      `${onWorker?.name} stopped on ${w1Name} and back`,
    );
    const ids = (list: Dyno[]) =>
      list
        .filter((d) => d.name !== onWorker?.name)
        .map((d) => `${d.name} ${d.id}`)
        .sort();
    expect(ids(after)).toEqual(ids(before));
    await eventually(
      async () =>
        (await cli('logs', '-n', '300')).stdout.includes(`paas[${onWorker?.name}]: Stopping process with SIGTERM`),
      30_000,
      "the worker's agent said the stop",
    );

    // Drain w1 under load: its tasks move, no request fails.
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const load = Promise.all(
      [0, 1, 2, 3].map(async () => {
        while (running) {
          try {
            const r = await routerGet(agent.routerPort, host);
            if (r.status === 200) ok++;
            else failures.push(`${r.status} ${r.text.slice(0, 80)}`);
          } catch (err) {
            failures.push(String(err));
          }
        }
      }),
    );
    await run('docker', ['node', 'update', '--availability', 'drain', w1.nodeId]);
    await eventually(
      async () => {
        const c = await spread(platform.platformId);
        return !c.has(w1Name) && [...c.values()].reduce((a, b) => a + b, 0) === 6;
      },
      120_000,
      'the drained node empty, six running elsewhere',
    );
    await eventually(six, 60_000, 'six answering after the drain');
    running = false;
    await load;
    expect(failures.slice(0, 5)).toEqual([]);
    expect(ok).toBeGreaterThan(0);

    // w2 disappears: Swarm finds it down and starts its tasks on the host.
    const w2Name = await hostname(w2);
    await w2.stop();
    await eventually(
      async () => {
        const c = await spread(platform.platformId);
        return !c.has(w2Name) && [...c.values()].reduce((a, b) => a + b, 0) === 6;
      },
      180_000,
      "the lost node's tasks rescheduled",
    );
    expect(await eventually(six, 60_000, 'six answering after the loss')).toHaveLength(6);
  } finally {
    await platform.removeContainers();
    await platform.stop();
    for (const node of nodes) await node.remove();
    await registry?.stop();
  }
}, 900_000);
