/**
 * Boot timeout (R10): a web process that never answers on $PORT within PAAS_BOOT_TIMEOUT is
 * stopped, the app's log says why, and it is started again with back-off; during the rolling
 * release the old process answers every request.
 */

import fs from 'node:fs';
import path from 'node:path';
import { commitAll, deployRouted, eventually, git, loggedInHome, paas, routerGet, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const GOOD = `require('node:http').createServer((_q, s) => s.end('v1')).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;
// Busy, but never binds $PORT.
const NEVER_BINDS = `console.log('warming up forever');
setInterval(() => {}, 1000);
`;

it('stops a web process that never binds $PORT (R10) and restarts it with back-off, while the old one serves', async () => {
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, host, repo, cli } = await deployRouted(home, agent, 'boot', { 'server.js': GOOD }, 60_000);
    expect((await cli('config:set', 'PAAS_BOOT_TIMEOUT=3')).code).toBe(0);
    await eventually(
      async () =>
        (await platform.api<{ release: { version: number }; state: string }[]>('GET', `/apps/${app}/dynos`)).body.some(
          (d) => d.release.version === 2 && d.state === 'up',
        ),
      30_000,
      'v2 up',
    );

    let requests = 0;
    let failed = 0;
    let serving = true;
    const load = (async () => {
      while (serving) {
        const r = await routerGet(agent.routerPort, host).catch(() => ({ status: 0, text: '' }));
        requests++;
        if (r.status !== 200 || r.text !== 'v1') failed++;
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    fs.writeFileSync(path.join(repo, 'server.js'), NEVER_BINDS);
    await commitAll(repo, home, 'never binds');
    const push = await git(['push', 'paas', 'main'], { cwd: repo, home });
    expect(push.code, push.stderr).toBe(0);

    const r10 =
      /paas\[web\.1\]: Error R10 \(Boot timeout\) -> Web process failed to bind to \$PORT within 3 seconds of launch$/;
    // web.1's lines only: under load the router writes a line per request, which would push
    // the R10 lines out of the last 300.
    const logLines = async () =>
      (await paas(['logs', '-n', '300', '-p', 'web.1', '-a', app], { home })).stdout.split('\n');
    // Stopped, and started again: two boot timeouts, the second after a back-off.
    const lines = await eventually(
      async () => {
        const l = await logLines();
        return l.filter((x) => r10.test(x)).length >= 2 ? l : undefined;
      },
      60_000,
      'two R10 lines',
    );
    serving = false;
    await load;
    expect(lines).toContainEqual(expect.stringMatching(/paas\[web\.1\]: Stopping process with SIGKILL$/));
    expect(lines).toContainEqual(expect.stringMatching(/paas\[web\.1\]: State changed from starting to crashed$/));
    expect(lines).toContainEqual(expect.stringMatching(/app\[web\.1\]: warming up forever$/));

    const dynos = (
      await platform.api<{ name: string; state: string; release: { version: number } }[]>('GET', `/apps/${app}/dynos`)
    ).body;
    // The old release's process is still up and serving; the new one is not.
    expect(dynos.some((d) => d.release.version === 2 && d.state === 'up')).toBe(true);
    expect(dynos.some((d) => d.release.version === 3 && d.state === 'up')).toBe(false);
    console.log(`boot timeout: ${requests} requests during the rolling release, ${failed} failed`);
    expect(requests).toBeGreaterThan(50);
    expect(failed).toBe(0);
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 180_000);
