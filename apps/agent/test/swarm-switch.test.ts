/**
 * The operator's switch of a running single-host platform from the agents runtime to swarm
 * (README, docs/architecture.md "Switching a platform to swarm"): the api restarted with
 * PAAS_RUNTIME=swarm, the agents left as they are. Apps keep their releases and formation and
 * come back up as Swarm services; the agents' own containers go once Swarm's are up, so the
 * router serves throughout.
 */
import { deployRouted, eventually, loggedInHome, routerGet, run, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const SERVER = `const http = require('node:http');
const server = http.createServer((_q, s) => s.end(JSON.stringify({ dyno: process.env.DYNO, release: process.env.PAAS_RELEASE, greeting: process.env.GREETING })));
server.listen(process.env.PORT);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const lines = async (args: string[]) => (await run('docker', args)).stdout.split('\n').filter(Boolean);

it('switches a platform from agents to swarm: releases kept, apps back up, served throughout', async () => {
  const platform = await startPlatform({ env: { PAAS_RUNTIME: 'agents' } });
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { host, cli } = await deployRouted(home, agent, 'switch', { 'server.js': SERVER }, 60_000);
    expect((await cli('config:set', 'GREETING=hello')).code).toBe(0);
    expect((await cli('ps:scale', 'web=2')).code).toBe(0);
    const own = ['ps', '-q', '--filter', `label=paas.platform=${platform.platformId}`, '--filter', 'label=paas.agent'];
    await eventually(async () => (await lines(own)).length === 2, 60_000, 'two containers of the agent');
    await eventually(
      async () => JSON.parse((await routerGet(agent.routerPort, host)).text).release === 'v2',
      60_000,
      'v2 served',
    );

    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (running) {
        try {
          const r = await routerGet(agent.routerPort, host);
          if (r.status === 200) ok++;
          else failures.push(`${r.status} ${r.text.slice(0, 100)}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    })();

    // The operator's procedure: the api stopped, started again with PAAS_RUNTIME=swarm.
    await platform.restart('SIGTERM', { PAAS_RUNTIME: 'swarm' });
    expect(platform.runtime).toBe('swarm');
    const services = ['service', 'ls', '-q', '--filter', `label=paas.platform=${platform.platformId}`];
    await eventually(async () => (await lines(services)).length === 1, 60_000, 'a web service');
    await eventually(async () => (await lines(own)).length === 0, 90_000, "the agent's containers gone");
    const served = await eventually(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 8; i++) {
          const body = JSON.parse((await routerGet(agent.routerPort, host)).text);
          if (body.release !== 'v2' || body.greeting !== 'hello') return undefined;
          seen.add(body.dyno);
        }
        return seen.size === 2 ? [...seen].sort() : undefined;
      },
      60_000,
      'both web processes served by Swarm, on v2',
    );
    expect(served).toEqual(['web.1', 'web.2']);
    running = false;
    await load;
    expect(failures.slice(0, 5)).toEqual([]);
    expect(failures).toHaveLength(0);
    expect(ok).toBeGreaterThan(0);

    // The history is the same: v1 (the deploy) and v2 (the config change), v2 current.
    const releases = (await cli('releases')).stdout;
    expect(releases).toMatch(/v2\s+Set GREETING config vars/);
    expect(releases).toMatch(/v1\s+Deploy/);
    expect((await cli('config:get', 'GREETING')).stdout.trim()).toBe('hello');
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 300_000);
