/**
 * HAProxy is the data plane: with the agent and the api SIGKILLed under load, every request is
 * still served; the restarted agent adopts the same HAProxy (same master pid, not restarted) and
 * routes a web process scaled up after it. A new app takes a free backend without a reload
 * (which would close the idle keep-alive connections of the loaded app's clients).
 */
import http from 'node:http';
import { deployRouted, eventually, HELLO_SERVER, loggedInHome, paas, routerGet, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('serves through agent and api kills, and the restarted agent adopts the same HAProxy', async () => {
  const platform = await startPlatform();
  const keepAlive = new http.Agent({ keepAlive: true });
  try {
    let agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { host, cli } = await deployRouted(home, agent, 'rfaults', { 'server.js': HELLO_SERVER }, 60_000);
    const master = agent.haproxyPid();
    expect(master).toBeGreaterThan(0);
    // An app with no web process: its one request while the agent is down is its one router line.
    const quiet = `quiet-${Date.now().toString(36)}`;
    expect((await paas(['apps:create', quiet], { home })).code).toBe(0);
    await eventually(
      async () => (await routerGet(agent.routerPort, `${quiet}.localhost`)).status === 503,
      30_000,
      'the quiet app routed',
    );

    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const loop = async (reuse: boolean) => {
      while (running) {
        try {
          const r = await routerGet(agent.routerPort, host, { agent: reuse ? keepAlive : false });
          if (r.status === 200) ok++;
          else
            failures.push(
              `${r.status} ${r.text
                .replace(/<[^>]+>/g, ' ')
                .trim()
                .slice(0, 120)}`,
            );
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = [loop(true), loop(true), loop(false), loop(false)];
    await sleep(1000);
    expect(await agent.stop('SIGKILL')).toBe(null);
    // HAProxy's line for it waits in the log pipe until the agent is back.
    expect((await routerGet(agent.routerPort, `${quiet}.localhost`, { path: '/while-the-agent-is-down' })).status).toBe(
      503,
    );
    await platform.stop('SIGKILL');
    await sleep(3000); // nothing of the control plane is running
    const duringOutage = ok;
    await sleep(1000);
    expect(ok).toBeGreaterThan(duringOutage);
    await platform.restart();
    agent = await platform.startAgent('agent-1');
    await eventually(async () => /"how":"adopted"/.test(agent.logs()), 30_000, 'HAProxy adopted');
    expect(agent.haproxyPid()).toBe(master);

    expect((await cli('ps:scale', 'web=2')).code).toBe(0);
    await eventually(
      async () => {
        const dynos = new Set<string>();
        for (let i = 0; i < 6; i++) dynos.add((await routerGet(agent.routerPort, host)).text.trim());
        return dynos.has('web.2');
      },
      60_000,
      'web.2 routed by the adopted HAProxy',
    );
    const other = `other-${Date.now().toString(36)}`;
    expect((await paas(['apps:create', other], { home })).code).toBe(0);
    await eventually(
      async () => (await routerGet(agent.routerPort, `${other}.localhost`)).status === 503,
      30_000,
      'the new app routed (503 H14: no web process yet)',
    );
    const quietLog = await eventually(
      async () => {
        const out = (await paas(['logs', '-p', 'router', '-a', quiet], { home })).stdout;
        return out.includes('/while-the-agent-is-down') ? out : undefined;
      },
      30_000,
      'the line logged while the agent was down',
    );
    expect(quietLog).toMatch(/code=H14 .* path="\/while-the-agent-is-down" .* status=503 /);
    running = false;
    await Promise.all(loops);
    expect(agent.logs()).not.toContain('HAProxy reloaded');
    console.log(`agent and api killed under load: ${ok} requests served, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(agent.haproxyPid()).toBe(master);
  } finally {
    keepAlive.destroy();
    await platform.removeContainers();
    await platform.stop();
  }
}, 180_000);
