/**
 * Private networks, on real containers: each app's processes share a network of their own
 * (web and worker reach each other by name), and from inside one app's container another
 * app's process (by its address, and by its published port) and the api cannot be reached;
 * the router can.
 */

import { once } from 'node:events';
import { createServer } from 'node:net';
import {
  deployRouted,
  eventually,
  freePort,
  getFrom,
  hostAddresses,
  inspectContainer,
  paas,
  probeFrom,
  processContainer,
  routerGet,
  run,
  usePlatform,
} from '@paas/testkit';
import { describe, expect, it } from 'vitest';

const SERVER = `require('node:http').createServer((_q, s) => s.end('hello from ' + process.env.DYNO)).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;
// The worker asks web.1 (by its name on the app's network, 1.web in a URL) and prints the answer.
const WORKER = `setInterval(() => fetch('http://1.web:' + process.env.PORT + '/').then((r) => r.text()).then((t) => console.log('worker heard: ' + t), (e) => console.log('worker failed: ' + e.cause?.code)), 500);
process.on('SIGTERM', () => process.exit(0));
`;
const FILES = { 'server.js': SERVER, 'worker.js': WORKER, Procfile: 'web: node server.js\nworker: node worker.js\n' };

const t = usePlatform();

const containerOf = (app: string, name: string) => processContainer(t.platform, app, name);
const inspect = inspectContainer;

describe('private networks', () => {
  it("puts an app's processes on a network of their own, where web and worker reach each other by name", async () => {
    const a = await deployRouted(t.home, t.agent, 'neta', FILES, 60_000);
    expect((await a.cli('ps:scale', 'worker=1')).code).toBe(0);
    await eventually(
      async () =>
        (await paas(['logs', '-n', '200', '-a', a.app], { home: t.home })).stdout.includes(
          'worker heard: hello from web.1',
        ),
      60_000,
      'the worker hearing web.1',
    );
    const web = (await containerOf(a.app, 'web.1')) ?? '';
    const worker = (await containerOf(a.app, 'worker.1')) ?? '';
    const networks = await inspect(web, '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}');
    expect(networks.trim()).toMatch(/^paas-app-[0-9a-f-]+$/);
    expect(await inspect(worker, '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}')).toBe(networks);
    // As web.1 too, and by type (any web process), from inside the worker.
    const probe = await probeFrom(worker, ['web:5000', 'web.1:5000', '1.web:5000']);
    expect(probe.get('web:5000')).toBe('CONNECTED');
    expect(probe.get('web.1:5000')).toBe('CONNECTED');
    expect(probe.get('1.web:5000')).toBe('CONNECTED');
  });

  it("keeps another app's processes, the api and the host out of reach, but not the router", async () => {
    const a = await deployRouted(t.home, t.agent, 'inside', { 'server.js': SERVER }, 60_000);
    const b = await deployRouted(t.home, t.agent, 'target', { 'server.js': SERVER }, 60_000);
    const inA = (await containerOf(a.app, 'web.1')) ?? '';
    const bWeb = (await containerOf(b.app, 'web.1')) ?? '';
    const bAddress = await inspect(bWeb, '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');
    const bPublished = (await inspect(bWeb, '{{(index (index .NetworkSettings.Ports "5000/tcp") 0).HostPort}}')).trim();
    expect(await inspect(bWeb, '{{(index (index .NetworkSettings.Ports "5000/tcp") 0).HostIp}}')).toBe('127.0.0.1');
    const gateway = await inspect(inA, '{{range .NetworkSettings.Networks}}{{.Gateway}}{{end}}');
    const hostIps = await hostAddresses(gateway);
    const refused = [
      `${bAddress}:5000`, // B's process on its own network
      `${b.app}:5000`, // no such name on A's network
      `${gateway}:${bPublished}`, // B's published port, through the host
      `${gateway}:${t.platform.port}`, // the api
      `${gateway}:${t.platform.rendezvousPort}`,
      ...hostIps.map((h) => `${h}:${t.platform.port}`),
    ];
    const lines = await probeFrom(inA, refused);
    expect(lines.size).toBe(refused.length);
    for (const target of refused) expect(lines.get(target), target).not.toBe('CONNECTED');
    // The api answers the host itself, and B answers through the router, from inside A too.
    expect((await fetch(`${t.platform.url}/healthz`)).status).toBe(200);
    expect(await getFrom(inA, gateway, t.agent.routerPort, b.host)).toBe('200 hello from web.1');
    expect((await routerGet(t.agent.routerPort, b.host)).text).toBe('hello from web.1');
  });

  it("closes a gone router's port again when another program listens on it (the kernel hands ports out again)", async () => {
    const a = await deployRouted(t.home, t.agent, 'reused', { 'server.js': SERVER }, 60_000);
    const inA = (await containerOf(a.app, 'web.1')) ?? '';
    const gateway = await inspect(inA, '{{range .NetworkSettings.Networks}}{{.Gateway}}{{end}}');
    // What a SIGKILLed agent leaves: its router's rule, whose port a new program then listens on.
    const port = await freePort();
    const other = createServer((socket) => socket.end()).listen(port, '0.0.0.0');
    await once(other, 'listening');
    const rule = ['PAAS-APPS', '-p', 'tcp', '--dport', String(port), '-j', 'RETURN'];
    await run('iptables', ['-w', '5', '-I', rule[0] ?? '', '1', ...rule.slice(1)]);
    try {
      expect((await probeFrom(inA, [`${gateway}:${port}`])).get(`${gateway}:${port}`)).toBe('CONNECTED');
      // The agent prunes at its start (and every minute): a router's port is one HAProxy listens on.
      await t.agent.stop();
      t.agent = await t.platform.startAgent(t.agent.id);
      await eventually(
        async () => !(await run('iptables', ['-w', '5', '-S', 'PAAS-APPS'])).stdout.includes(`--dport ${port} `),
        30_000,
        'the rule of the port no router listens on to go',
      );
      expect((await probeFrom(inA, [`${gateway}:${port}`])).get(`${gateway}:${port}`)).not.toBe('CONNECTED');
      // The router's own port stays open to the apps.
      expect((await run('iptables', ['-w', '5', '-S', 'PAAS-APPS'])).stdout).toContain(
        `--dport ${t.agent.routerPort} `,
      );
      expect((await routerGet(t.agent.routerPort, a.host)).text).toBe('hello from web.1');
    } finally {
      await run('iptables', ['-w', '5', '-D', ...rule]).catch(() => undefined);
      other.close();
    }
  });
});
