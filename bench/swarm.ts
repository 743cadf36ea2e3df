/**
 * pnpm bench (swarm): `ps:scale web=N` until all N are up, on the `swarm` runtime (Swarm
 * services, a single-node Swarm on this engine) beside the `agents` runtime and beside plain
 * `docker service create --replicas N` of the same image until every task answers HTTP on its
 * published port. Median of BENCH_ROUNDS interleaved rounds (default 3), N from
 * BENCH_SWARM_SIZES (default 20).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  appName,
  ensureSwarm,
  eventually,
  git,
  HELLO_SERVER,
  loggedInHome,
  makeRepo,
  NODE_DOCKERFILE,
  type Platform,
  paas,
  startPlatform,
} from '@paas/testkit';
import { table } from './table.js';

const run = promisify(execFile);
const SIZES = (process.env.BENCH_SWARM_SIZES ?? '20').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function answers(port: number): Promise<boolean> {
  try {
    await (await fetch(`http://127.0.0.1:${port}/`)).text();
    return true;
  } catch {
    return false;
  }
}

/** A platform on a runtime with one agent and the hello app deployed; its image and a scaler. */
async function setUp(runtime: 'agents' | 'swarm') {
  const platform = await startPlatform({ env: { PAAS_RUNTIME: runtime }, agents: 1 });
  const home = await loggedInHome(platform);
  const app = appName(`bench-${runtime}`);
  const repo = await makeRepo(home, { files: { 'server.js': HELLO_SERVER, Dockerfile: NODE_DOCKERFILE } });
  await paas(['apps:create', app], { home, cwd: repo });
  const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
  if (push.code !== 0) throw new Error(push.stderr);
  const release = (await platform.api<{ image: { id: string } }[]>('GET', `/apps/${app}/releases`)).body[0];
  const dynos = async () => (await platform.api<{ state: string }[]>('GET', `/apps/${app}/dynos`)).body;
  const scale = (n: number) =>
    platform.api('PATCH', `/apps/${app}/formation`, { updates: [{ type: 'web', quantity: n }] });
  /** Seconds from the scale request until n processes are up (from 0). */
  const time = async (n: number) => {
    await scale(0);
    await eventually(async () => (await dynos()).length === 0, 180_000, 'scaled to 0');
    const t0 = performance.now();
    await scale(n);
    await eventually(
      async () => {
        const list = await dynos();
        return list.length === n && list.every((d) => d.state === 'up');
      },
      300_000,
      `${n} up on ${runtime}`,
    );
    const s = (performance.now() - t0) / 1000;
    await scale(0);
    await eventually(async () => (await dynos()).length === 0, 180_000, 'scaled to 0');
    return s;
  };
  return { platform, image: release?.image?.id ?? '', time };
}

/** Seconds from `docker service create --replicas n` until every task answers on its port. */
async function plainService(image: string, n: number, platformId: string): Promise<number> {
  const name = `bench-plain-${Date.now().toString(36)}`;
  const t0 = performance.now();
  await run('docker', [
    'service',
    'create',
    '--detach',
    '--quiet',
    '--name',
    name,
    '--label',
    `paas.platform=${platformId}`,
    '--init',
    // On this node, as the platform's tasks without a registry are.
    '--constraint',
    'node.role==manager',
    '--env',
    'PORT=5000',
    '--publish',
    'mode=host,target=5000',
    '--replicas',
    String(n),
    image,
  ]);
  try {
    await eventually(
      async () => {
        const { stdout } = await run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', name]);
        const tasks = stdout.split('\n').filter(Boolean);
        if (tasks.length !== n) return false;
        const { stdout: ports } = await run('docker', [
          'inspect',
          '--format',
          '{{.Status.State}} {{(index .Status.PortStatus.Ports 0).PublishedPort}}',
          ...tasks,
        ]);
        const rows = ports.split('\n').filter(Boolean);
        if (!rows.every((r) => r.startsWith('running '))) return false;
        const answered = await Promise.all(rows.map((r) => answers(Number(r.split(' ')[1]))));
        return answered.every(Boolean);
      },
      300_000,
      `${n} plain tasks answering`,
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await run('docker', ['service', 'rm', name]);
  }
}

async function main(): Promise<void> {
  await ensureSwarm();
  const platforms: Platform[] = [];
  const rows: string[][] = [];
  try {
    const agents = await setUp('agents');
    platforms.push(agents.platform);
    const swarm = await setUp('swarm');
    platforms.push(swarm.platform);
    for (const n of SIZES) {
      const times = { agents: [] as number[], swarm: [] as number[], plain: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        times.agents.push(await agents.time(n));
        times.swarm.push(await swarm.time(n));
        times.plain.push(await plainService(swarm.image, n, swarm.platform.platformId));
      }
      const [a, s, p] = [median(times.agents), median(times.swarm), median(times.plain)];
      rows.push([String(n), s.toFixed(2), a.toFixed(2), p.toFixed(2), (s / p).toFixed(2), (a / p).toFixed(2)]);
    }
  } finally {
    for (const platform of platforms) {
      await platform.removeContainers();
      await platform.stop();
    }
  }
  process.stdout.write(
    table(
      `ps:scale web=N → all up, swarm runtime beside agents runtime and plain docker service create (median of ${ROUNDS})`,
      [
        'N web',
        'paas on swarm (s)',
        'paas on agents (s)',
        'docker service create (s)',
        'swarm / plain',
        'agents / plain',
      ],
      rows,
    ),
  );
}

await main();
