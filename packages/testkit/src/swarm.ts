/**
 * The `swarm` runtime in tests: the host's engine as a single-node Swarm manager (made so, once,
 * if it is not in a swarm yet; being one disturbs nothing else), and the removal of a
 * platform's services (each carries `paas.platform`). `PAAS_RUNTIME` in the test run's
 * environment picks the runtime for every platform the kit starts (the matrix).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// Its own execFile (not env.ts's run): sweep.ts imports this module, and env.ts imports sweep.ts.
const run = promisify(execFile);

/** The runtime platforms started by the kit use: `PAAS_RUNTIME` of the run, else `agents`. */
export function testRuntime(env: Record<string, string | undefined> = {}): 'agents' | 'swarm' {
  return (env.PAAS_RUNTIME ?? process.env.PAAS_RUNTIME) === 'swarm' ? 'swarm' : 'agents';
}

async function swarmState(): Promise<string> {
  const { stdout } = await run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}']);
  return stdout.trim();
}

/** Makes the host's engine a single-node Swarm manager, advertising 127.0.0.1, unless it is in one. */
export async function ensureSwarm(): Promise<void> {
  if ((await swarmState()) === 'active') return;
  try {
    await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  } catch (err) {
    // Another test worker made it meanwhile.
    if ((await swarmState()) !== 'active') throw err;
  }
}

/** Removes a platform's Swarm services (their tasks' containers go with them); none when not a swarm. */
export async function removeServices(platformId: string): Promise<number> {
  let ids: string[];
  try {
    const { stdout } = await run('docker', ['service', 'ls', '-q', '--filter', `label=paas.platform=${platformId}`]);
    ids = stdout.split('\n').filter(Boolean);
  } catch {
    return 0; // not a swarm manager: there are none
  }
  if (ids.length) {
    await run('docker', ['service', 'rm', ...ids]);
    // Swarm stops their tasks' containers in the background: wait (a while) until they are gone.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const { stdout } = await run('docker', [
        'ps',
        '-q',
        '--filter',
        `label=paas.platform=${platformId}`,
        '--filter',
        'label=paas.runtime=swarm',
      ]);
      if (!stdout.trim()) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return ids.length;
}

/**
 * Runs the rest of a test file's platforms on this runtime (the matrix: a file under
 * test/swarm-matrix/ calls this, then imports the suite it runs again); the run's own
 * PAAS_RUNTIME comes back after the file.
 */
export function useRuntime(runtime: 'agents' | 'swarm', afterAll: (fn: () => void) => void): void {
  const before = process.env.PAAS_RUNTIME;
  process.env.PAAS_RUNTIME = runtime;
  afterAll(() => {
    if (before === undefined) delete process.env.PAAS_RUNTIME;
    else process.env.PAAS_RUNTIME = before;
  });
}

/** Takes a platform's Swarm nodes (test workers, labelled with it) out of the swarm. */
export async function removeNodes(platformId: string): Promise<number> {
  let ids: string[];
  try {
    const { stdout } = await run('docker', ['node', 'ls', '-q', '--filter', `node.label=paas.platform=${platformId}`]);
    ids = stdout.split('\n').filter(Boolean);
  } catch {
    return 0;
  }
  if (ids.length) await run('docker', ['node', 'rm', '--force', ...ids]);
  return ids.length;
}

/**
 * Removes a platform's overlay networks (the swarm runtime's app networks; after its services):
 * Swarm lets one go only once its services' tasks have left it, so each is tried for a while.
 */
export async function removeOverlays(platformId: string): Promise<number> {
  const list = async () => {
    try {
      const args = [
        'network',
        'ls',
        '-q',
        '--filter',
        `label=paas.platform=${platformId}`,
        '--filter',
        'driver=overlay',
      ];
      return (await run('docker', args)).stdout.split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  let ids = await list();
  const count = ids.length;
  const deadline = Date.now() + 15_000;
  while (ids.length && Date.now() < deadline) {
    for (const id of ids) await run('docker', ['network', 'rm', id]).catch(() => undefined);
    ids = await list();
    if (ids.length) await new Promise((r) => setTimeout(r, 500));
  }
  return count;
}
