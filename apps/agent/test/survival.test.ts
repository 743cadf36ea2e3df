/**
 * The data plane survives: a killed agent adopts its containers on restart, processes keep
 * running (and crashed ones restart) with the api down, and two agents share the work and
 * take over from each other.
 */
import {
  appName,
  eventually,
  git,
  HELLO_SERVER,
  loggedInHome,
  makeRepo,
  NODE_DOCKERFILE,
  paas,
  processContainers,
  run,
  startPlatform,
  testRuntime,
} from '@paas/testkit';
import { expect, it } from 'vitest';

interface Dyno {
  name: string;
  state: string;
  agent: string;
  id: string;
  endpoint: { port: number } | null;
}

const FILES = {
  'server.js': HELLO_SERVER,
  Dockerfile: NODE_DOCKERFILE,
};

async function setUp() {
  const platform = await startPlatform({ env: { PAAS_AGENT_TIMEOUT: '3' } });
  const home = await loggedInHome(platform);
  const app = appName('survive');
  const repo = await makeRepo(home, { files: FILES });
  const dynos = async () => (await platform.api<Dyno[]>('GET', `/apps/${app}/dynos`)).body;
  const upCount = async (n: number) => {
    const list = await dynos();
    return list.length === n && list.every((d) => d.state === 'up') ? list : undefined;
  };
  const deploy = async () => {
    expect((await paas(['apps:create', app], { home, cwd: repo })).code).toBe(0);
    expect((await git(['push', 'paas', 'main'], { cwd: repo, home })).code).toBe(0);
  };
  // The running process containers (either runtime: Swarm's task containers have no paas labels of their own).
  const running = async () => (await processContainers(platform)).map(({ id, name, agent }) => ({ id, name, agent }));
  const startedAt = async (id: string) =>
    (await run('docker', ['inspect', '-f', '{{.State.StartedAt}}', id])).stdout.trim();
  const answers = async (d: Dyno) => (await fetch(`http://127.0.0.1:${d.endpoint?.port}/`)).text();
  return { platform, home, repo, deploy, upCount, running, startedAt, answers };
}

it('a killed agent adopts its containers; with the api down they keep serving and restarting', async () => {
  const { platform, home, repo, deploy, upCount, running, startedAt, answers } = await setUp();
  try {
    const agent = await platform.startAgent('agent-1');
    await deploy();
    expect((await paas(['ps:scale', 'web=2'], { home, cwd: repo })).code).toBe(0);
    const before = await eventually(() => upCount(2), 30_000, '2 up');
    const ids = (await running()).map((c) => c.id).sort();
    const starts = await Promise.all(ids.map(startedAt));

    expect(await agent.stop('SIGKILL')).toBe(null);
    const again = await platform.startAgent('agent-1');
    await eventually(async () => again.logs().includes('connected to the api'), 20_000, 'agent reconnect');
    await new Promise((r) => setTimeout(r, 3000)); // a few reconcile rounds
    await eventually(() => upCount(2), 20_000, '2 up after agent restart');
    expect((await running()).map((c) => c.id).sort()).toEqual(ids);
    expect(await Promise.all(ids.map(startedAt))).toEqual(starts);

    // The api goes away: processes keep serving, and a crashed one is still restarted.
    expect(await platform.stop()).toBe(0);
    for (const d of before) expect(['web.1', 'web.2']).toContain(await answers(d));
    const victim = (await running()).find((c) => c.name === 'web.1');
    await run('docker', ['kill', victim?.id ?? '']);
    const replaced = await eventually(
      async () => (await running()).find((c) => c.name === 'web.1' && c.id !== victim?.id),
      20_000,
      'web.1 restarted with the api down',
    );
    expect(replaced.agent).toBe('agent-1');

    // The api is back: state reconverges, nothing else restarted.
    await platform.restart();
    const after = await eventually(() => upCount(2), 30_000, '2 up after api restart');
    expect(after.map((d) => d.name)).toEqual(['web.1', 'web.2']);
    expect((await running()).length).toBe(2);
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
});

// The agents' own placement (core/scheduler.ts): on swarm, Swarm places the tasks, and
// swarm-cluster.test.ts asserts the equivalent (ps:scale web=6 spread over three nodes, a
// stopped node's tasks started on the others).
it.skipIf(testRuntime() === 'swarm')(
  'two agents share web=4 two and two; when one is gone past the timeout, the other takes over',
  async () => {
    const { platform, home, repo, deploy, upCount } = await setUp();
    try {
      await platform.startAgent('agent-1');
      const second = await platform.startAgent('agent-2');
      await eventually(async () => second.logs().includes('connected to the api'), 20_000, 'agent-2 connected');
      await deploy();
      expect((await paas(['ps:scale', 'web=4'], { home, cwd: repo })).code).toBe(0);
      const spread = await eventually(() => upCount(4), 30_000, '4 up');
      const perAgent = (list: Dyno[]) => {
        const counts: Record<string, number> = {};
        for (const d of list) counts[d.agent] = (counts[d.agent] ?? 0) + 1;
        return counts;
      };
      expect(perAgent(spread)).toEqual({ 'agent-1': 2, 'agent-2': 2 });

      const gone = Date.now();
      await second.stop('SIGKILL');
      const taken = await eventually(
        async () => {
          const list = await upCount(4);
          return list?.every((d) => d.agent === 'agent-1') ? list : undefined;
        },
        30_000,
        'all on agent-1',
      );
      console.log(
        `agent-2 gone: its processes were up on agent-1 ${((Date.now() - gone) / 1000).toFixed(1)} s later (timeout 3 s)`,
      );
      expect(taken.map((d) => d.name)).toEqual(['web.1', 'web.2', 'web.3', 'web.4']);
    } finally {
      await platform.removeContainers();
      await platform.stop();
    }
  },
);
