/**
 * PAAS_RUNTIME=swarm, one process at a time: `ps:restart web.2` and `ps:stop stubborn.1` stop
 * that task's container alone (through the agent of its node: SIGTERM, SIGKILL after the stop
 * timeout, the agents runtime's lines in the app's log) and Swarm starts the slot again; a
 * type's `ps:stop web` stops each of its processes; with the node's agent gone, a stop is
 * refused, clearly, and nothing is stopped.
 */
import { deployRouted, eventually, loggedInHome, processContainer, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const FILES = {
  'server.js': `const http = require('node:http');
const server = http.createServer((_q, s) => s.end(process.env.DYNO));
server.listen(process.env.PORT);
process.on('SIGTERM', () => { console.log('SIGTERM received by ' + process.env.DYNO); server.close(() => process.exit(0)); });
`,
  'stubborn.js': `setInterval(() => {}, 1000); process.on('SIGTERM', () => console.log('ignoring SIGTERM'));\n`,
  Procfile: 'web: node server.js\nstubborn: node stubborn.js\n',
};

interface Dyno {
  name: string;
  state: string;
  id: string;
}

it('stops and restarts one Swarm task through its node agent; refuses when that agent is gone', async () => {
  const platform = await startPlatform({ env: { PAAS_RUNTIME: 'swarm', PAAS_STOP_TIMEOUT: '3' } });
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, cli } = await deployRouted(home, agent, 'swstop', FILES, 60_000);
    expect((await cli('ps:scale', 'web=2', 'stubborn=1')).code).toBe(0);
    const dynos = async () => (await platform.api<Dyno[]>('GET', `/apps/${app}/dynos`)).body;
    const allUp = async (check: (list: Dyno[]) => boolean = () => true) => {
      const list = await dynos();
      return list.length === 3 && list.every((d) => d.state === 'up') && check(list) ? list : undefined;
    };
    const idOf = (list: Dyno[], name: string) => list.find((d) => d.name === name)?.id;
    const before = await eventually(() => allUp(), 90_000, 'web.1, web.2, stubborn.1 up');
    const logs = async () => (await cli('logs', '-n', '500')).stdout;
    const web1Stops = async () => (await logs()).match(/paas\[web\.1\]: Stopping process/g)?.length ?? 0;
    const web1StopsBefore = await web1Stops();

    // ps:restart web.2: that task alone is replaced (same slot, new container), gracefully.
    const web2 = await processContainer(platform, app, 'web.2');
    expect(web2).toBe(idOf(before, 'web.2'));
    expect((await cli('ps:restart', 'web.2')).code).toBe(0);
    const restarted = await eventually(
      () => allUp((l) => idOf(l, 'web.2') !== web2 && !!idOf(l, 'web.2')),
      60_000,
      'web.2 replaced',
    );
    expect(idOf(restarted, 'web.1')).toBe(idOf(before, 'web.1'));
    expect(idOf(restarted, 'stubborn.1')).toBe(idOf(before, 'stubborn.1'));
    const lines = [
      /paas\[web\.2\]: Stopping process with SIGTERM$/m,
      /app\[web\.2\]: SIGTERM received by web\.2$/m,
      /paas\[web\.2\]: Process exited with status 0$/m,
      /paas\[web\.2\]: State changed from up to down$/m,
    ];
    await eventually(
      async () => ((out) => lines.every((l) => l.test(out)))(await logs()),
      30_000,
      "web.2's stop in the log",
    );
    expect(await web1Stops()).toBe(web1StopsBefore);

    // ps:stop stubborn.1: it ignores SIGTERM, so it is killed after its stop timeout (R12).
    const stubborn = idOf(restarted, 'stubborn.1');
    expect((await cli('ps:stop', 'stubborn.1')).code).toBe(0);
    const back = await eventually(
      () => allUp((l) => !!idOf(l, 'stubborn.1') && idOf(l, 'stubborn.1') !== stubborn),
      60_000,
      'stubborn.1 back',
    );
    expect(idOf(back, 'web.1')).toBe(idOf(before, 'web.1'));
    const killed = [
      /paas\[stubborn\.1\]: Stopping process with SIGTERM$/m,
      /app\[stubborn\.1\]: ignoring SIGTERM$/m,
      /paas\[stubborn\.1\]: Error R12 \(Exit timeout\) -> Process failed to exit within 3 seconds of SIGTERM$/m,
      /paas\[stubborn\.1\]: Stopping process with SIGKILL$/m,
      /paas\[stubborn\.1\]: Process exited with status 137$/m,
    ];
    await eventually(
      async () => ((out) => killed.every((l) => l.test(out)))(await logs()),
      30_000,
      "stubborn.1's kill in the log",
    );

    // ps:stop web: every web process stops and comes back (as on agents; ps:restart web rolls).
    expect((await cli('ps:stop', 'web')).code).toBe(0);
    const webs = await eventually(
      () => allUp((l) => idOf(l, 'web.1') !== idOf(back, 'web.1') && idOf(l, 'web.2') !== idOf(back, 'web.2')),
      60_000,
      'both web processes replaced',
    );
    expect(idOf(webs, 'stubborn.1')).toBe(idOf(back, 'stubborn.1'));

    // The node's agent gone: a stop or restart of one process is refused and nothing changes.
    await agent.stop('SIGKILL');
    const stop = await cli('ps:stop', 'web.1');
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain('no paas agent is connected on its node');
    expect(stop.stderr).toContain('web.1');
    const restart = await cli('ps:restart', 'web.1');
    expect(restart.code).toBe(1);
    expect(restart.stderr).toContain('no paas agent is connected on its node');
    expect(idOf(await dynos(), 'web.1')).toBe(idOf(webs, 'web.1'));
    const unknown = await cli('ps:stop', 'nope.1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Couldn't find that process: nope.1");
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 300_000);
