/**
 * Zero downtime through the router: under a steady load (keep-alive and new connections),
 * deploy, config:set, rollback, scale up, scale down and restart, with no failed request and
 * no non-2xx answer, and responses showing the new release after each step.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { commitAll, deployRouted, eventually, git, loggedInHome, routerGet, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const SERVER = `const http = require('node:http');
const server = http.createServer((_req, res) => res.end(JSON.stringify({ release: process.env.PAAS_RELEASE, dyno: process.env.DYNO, v: process.env.APP_VERSION || '1' })));
server.listen(process.env.PORT);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

it('serves every request while the app is deployed, reconfigured, rolled back, scaled and restarted', async () => {
  const platform = await startPlatform();
  const agent = await platform.startAgent('agent-1');
  const home = await loggedInHome(platform);
  const keepAlive = new http.Agent({ keepAlive: true });
  let host = '';
  const get = async (useKeepAlive: boolean) => {
    const r = await routerGet(agent.routerPort, host, { agent: useKeepAlive ? keepAlive : false });
    return { status: r.status, body: r.text };
  };

  try {
    const deployed = await deployRouted(home, agent, 'zerodown', { 'server.js': SERVER });
    const { repo, cli } = deployed;
    host = deployed.host;

    let running = true;
    let ok = 0;
    const failures: string[] = [];
    let latest = '';
    const loop = async (useKeepAlive: boolean) => {
      while (running) {
        try {
          const r = await get(useKeepAlive);
          if (r.status >= 200 && r.status < 300) {
            ok++;
            latest = r.body;
          } else failures.push(`${r.status} ${r.body.slice(0, 120)}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = [...Array(6)].map((_, i) => loop(i < 4));
    const serving = (check: (body: { release: string; v: string }) => boolean, what: string) =>
      eventually(async () => latest && check(JSON.parse(latest)), 60_000, what);
    const started = Date.now();

    fs.writeFileSync(path.join(repo, 'server.js'), SERVER.replace("|| '1'", "|| '2'"));
    await commitAll(repo, home, 'v2 of the code');
    expect((await git(['push', 'paas', 'main'], { cwd: repo, home })).code).toBe(0);
    await serving((b) => b.release === 'v2' && b.v === '2', 'deploy served');
    expect((await cli('config:set', 'APP_VERSION=3')).code).toBe(0);
    await serving((b) => b.release === 'v3' && b.v === '3', 'config served');
    expect((await cli('rollback', 'v1')).code).toBe(0);
    await serving((b) => b.release === 'v4' && b.v === '1', 'rollback served');
    expect((await cli('ps:scale', 'web=3')).code).toBe(0);
    await eventually(
      async () => {
        const dynos = new Set<string>();
        for (let i = 0; i < 12; i++) dynos.add(JSON.parse((await get(true)).body).dyno);
        return dynos.size === 3;
      },
      60_000,
      'three answering',
    );
    expect((await cli('ps:scale', 'web=1')).code).toBe(0);
    const dynos = async () =>
      (await platform.api<{ name: string; state: string; id: string }[]>('GET', `/apps/${deployed.app}/dynos`)).body;
    const one = await eventually(
      async () => {
        const list = await dynos();
        return list.length === 1 && list[0]?.state === 'up' ? list[0] : undefined;
      },
      30_000,
      'one web process',
    );
    expect((await cli('ps:restart')).code).toBe(0);
    // The restart replaced the process (another container), and the new one serves.
    await eventually(
      async () => {
        const list = await dynos();
        return list.length === 1 && list[0]?.state === 'up' && list[0]?.id !== one.id;
      },
      30_000,
      'web.1 replaced',
    );
    const answering = new Set<string>();
    for (let i = 0; i < 5; i++) answering.add(JSON.parse((await get(false)).body).dyno);
    expect([...answering]).toEqual(['web.1']);

    running = false;
    await Promise.all(loops);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `zero downtime: ${ok} requests in ${seconds.toFixed(1)} s (${(ok / seconds).toFixed(0)}/s), ${failures.length} failed`,
    );
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(1000);
  } finally {
    keepAlive.destroy();
    await platform.removeContainers();
    await platform.stop();
  }
});
