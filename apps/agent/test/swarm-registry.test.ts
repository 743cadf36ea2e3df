/**
 * The platform's registry does not grow without bound: under the swarm runtime with
 * PAAS_REGISTRY, release images no app keeps (older than PAAS_KEEP_RELEASES, or of a destroyed
 * app) lose their tag in the registry as they do in the engine, and the registry's garbage
 * collection (deploy/systemd/paas-registry-gc.service runs the same command) frees their blobs.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  deployRouted,
  eventually,
  git,
  loggedInHome,
  routerGet,
  run,
  startPlatform,
  startRegistry,
} from '@paas/testkit';
import { expect, it } from 'vitest';

const server = (greeting: string) => `const http = require('node:http');
http.createServer((_q, s) => s.end('${greeting}')).listen(process.env.PORT);
`;

/** Files under the registry's blob store (what garbage collection frees). */
function blobCount(dir: string): number {
  const root = path.join(dir, 'data/docker/registry/v2/blobs');
  if (!fs.existsSync(root)) return 0;
  return fs.readdirSync(root, { recursive: true }).filter((f) => String(f).endsWith('/data')).length;
}

it('deletes the registry tags of images no release keeps, and of a destroyed app; GC frees their blobs', async () => {
  const platform = await startPlatform({ env: { PAAS_RUNTIME: 'swarm', PAAS_KEEP_RELEASES: '1' } });
  const registry = await startRegistry(platform.dataDir);
  try {
    await platform.restart('SIGTERM', { PAAS_REGISTRY: registry.address });
    const dir = path.join(platform.dataDir, 'registry');
    const password = fs.readFileSync(path.join(dir, 'password'), 'utf8').trim();
    const tags = async (appId: string) => {
      const { stdout } = await run('curl', [
        '-sS',
        '--cacert',
        registry.caFile,
        '-u',
        `paas:${password}`,
        `https://${registry.address}/v2/paas/${appId}/tags/list`,
      ]);
      return ((JSON.parse(stdout) as { tags?: string[] | null }).tags ?? []).sort();
    };
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, host, repo, cli } = await deployRouted(home, agent, 'reg', { 'server.js': server('one') }, 120_000);
    const appId = (await platform.api<{ id: string }>('GET', `/apps/${app}`)).body.id;
    const first = await eventually(
      async () => ((await tags(appId)).length === 1 ? tags(appId) : undefined),
      30_000,
      'v1 pushed',
    );

    // A new build (v2): v1's image is older than the one kept release, so its tag goes.
    fs.writeFileSync(path.join(repo, 'server.js'), server('two'));
    await run('git', ['commit', '-qam', 'two'], { cwd: repo });
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
    expect(push.code, push.stderr).toBe(0);
    await eventually(async () => (await routerGet(agent.routerPort, host)).text === 'two', 120_000, 'v2 serving');
    const second = await eventually(
      async () => {
        const now = await tags(appId);
        return now.length === 1 && now[0] !== first[0] ? now : undefined;
      },
      60_000,
      "only v2's tag left",
    );
    expect(second).not.toEqual(first);

    // `rollback` (to v1): its image, gone from the registry (and the engine), is made and pushed
    // again, and the tasks pull it; v2's tag goes in turn.
    const rollback = await cli('rollback');
    expect(rollback.code, rollback.stderr).toBe(0);
    await eventually(async () => (await routerGet(agent.routerPort, host)).text === 'one', 120_000, 'v1 serving again');
    await eventually(
      async () => {
        const now = await tags(appId);
        return now.length === 1 && now[0] !== second[0] ? now : undefined;
      },
      60_000,
      "only the rollback's tag left",
    );

    // Destroyed: every tag goes; the garbage collection then frees the blobs.
    const blobsBefore = blobCount(dir);
    expect((await cli('apps:destroy', '--confirm', app)).code).toBe(0);
    await eventually(async () => (await tags(appId)).length === 0, 60_000, 'no tags left');
    await run('docker-registry', ['garbage-collect', '--delete-untagged', path.join(dir, 'config.yml')]);
    const blobsAfter = blobCount(dir);
    console.log(`registry blobs: ${blobsBefore} before the app was destroyed, ${blobsAfter} after GC`);
    expect(blobsAfter).toBeLessThan(blobsBefore);
  } finally {
    await registry.stop();
    await platform.removeContainers();
    await platform.stop();
  }
});
