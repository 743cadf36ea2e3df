/**
 * Issue 15's confinement and private networks under the swarm runtime (issue 17), on real
 * Swarm tasks: each app's processes run as the image's USER or else uid 1000, with no
 * effective capability, no-new-privileges (setpriv, Docker 20.10's services having none), the
 * limits of their size and a bounded log; they share the app's own overlay network (web and
 * worker reach each other by type), and from inside one app another app's process (by its
 * address, name and published port), the api and the host's addresses cannot be reached; the
 * router can. confinement.test.ts and networks.test.ts assert the same of the agents runtime;
 * what differs here is what Swarm gives: `SecurityOpt` stays empty (the app's processes carry
 * no-new-privileges, not Docker's init), a task is named by type on the network (`web`, not
 * `web.1`), and its port is published on every interface (the firewall keeps apps from it).
 */
import {
  deployRouted,
  eventually,
  getFrom,
  hostAddresses,
  inspectContainer,
  paas,
  probeFrom,
  processContainer,
  routerGet,
  run,
  usePlatform,
  useRuntime,
} from '@paas/testkit';
import { afterAll, describe, expect, it } from 'vitest';

useRuntime('swarm', afterAll);

const WHO = `require('node:http').createServer((_q, s) => s.end(JSON.stringify({ dyno: process.env.DYNO, uid: process.getuid() }))).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;
const FILES = {
  'server.js': WHO,
  Procfile: 'web: node server.js\nworker: node -e "setInterval(() => {}, 1000)"\n',
};
// The status of the container's process running server.js (the app, under Docker's init).
const APP_STATUS = `const fs = require('node:fs');
for (const p of fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d))) {
  try { if (fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').split('\\0').includes('server.js')) { console.log(fs.readFileSync('/proc/' + p + '/status', 'utf8')); break; } } catch {}
}`;

const t = usePlatform();

/** The container's default gateway (its node's docker_gwbridge), from its routing table. */
async function gatewayOf(id: string): Promise<string> {
  const { stdout } = await run('docker', ['exec', id, 'cat', '/proc/net/route']);
  const hex =
    stdout
      .split('\n')
      .find((l) => l.split(/\s+/)[1] === '00000000')
      ?.split(/\s+/)[2] ?? '';
  return [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}
const networksOf = (id: string) => inspectContainer(id, '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}');

describe('confinement and private networks on swarm', () => {
  it('runs each task confined: limits of its size, pids, log, caps, non-root, no-new-privileges', async () => {
    const { app, host, cli } = await deployRouted(t.home, t.agent, 'swconf', FILES, 90_000);
    const web = (await processContainer(t.platform, app, 'web.1')) ?? '';
    const limits = await inspectContainer(
      web,
      '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CapDrop}} {{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config "max-size"}} {{index .HostConfig.LogConfig.Config "max-file"}} {{.Config.User}} {{index .Config.Labels "paas.size"}}',
    );
    expect(limits).toBe(`${512 * 1048576} 1000000000 256 [ALL] json-file 10m 3 1000:1000 Basic`);
    // Inside: the app is uid 1000 with no effective capability, and no-new-privileges.
    const status = (await run('docker', ['exec', web, 'node', '-e', APP_STATUS])).stdout;
    expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('1000');
    expect(/^CapEff:\s+(\S+)/m.exec(status)?.[1]).toBe('0000000000000000');
    expect(/^NoNewPrivs:\s+(\d)/m.exec(status)?.[1]).toBe('1');
    const bound = BigInt(`0x${/^CapBnd:\s+(\S+)/m.exec(status)?.[1]}`);
    expect(bound & (1n << 13n)).toBe(0n); // CAP_NET_RAW is gone even from the bound
    expect(JSON.parse((await routerGet(t.agent.routerPort, host)).text)).toEqual({ dyno: 'web.1', uid: 1000 });

    // The worker shares the app's own overlay network, and reaches the web process by its type.
    expect((await cli('ps:scale', 'worker=1')).code).toBe(0);
    const worker = await eventually(() => processContainer(t.platform, app, 'worker.1'), 60_000, 'worker.1 runs');
    const network = (await networksOf(web)).trim();
    expect(network).toMatch(/^paas-app-[0-9a-f-]+$/);
    expect((await networksOf(worker)).trim()).toBe(network);
    expect((await probeFrom(worker, ['web:5000'])).get('web:5000')).toBe('CONNECTED');
  });

  it("respects a Dockerfile's own USER", async () => {
    const { app, host } = await deployRouted(
      t.home,
      t.agent,
      'swuser',
      {
        'server.js': WHO,
        Dockerfile: 'FROM paas/node:20\nWORKDIR /app\nCOPY . .\nUSER nobody\nCMD ["node", "server.js"]\n',
      },
      90_000,
    );
    expect(JSON.parse((await routerGet(t.agent.routerPort, host)).text)).toEqual({ dyno: 'web.1', uid: 65534 });
    expect(await inspectContainer((await processContainer(t.platform, app, 'web.1')) ?? '', '{{.Config.User}}')).toBe(
      'nobody',
    );
  });

  it("keeps another app's processes, the api and the host out of reach, but not the router", async () => {
    const a = await deployRouted(t.home, t.agent, 'swinside', { 'server.js': WHO }, 90_000);
    const b = await deployRouted(t.home, t.agent, 'swtarget', { 'server.js': WHO }, 90_000);
    const inA = (await processContainer(t.platform, a.app, 'web.1')) ?? '';
    const bWeb = (await processContainer(t.platform, b.app, 'web.1')) ?? '';
    const bAddress = await inspectContainer(bWeb, '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');
    const bPublished = await inspectContainer(bWeb, '{{(index (index .NetworkSettings.Ports "5000/tcp") 0).HostPort}}');
    const gateway = await gatewayOf(inA);
    const hostIps = await hostAddresses(gateway);
    const refused = [
      `${bAddress}:5000`, // B's process on its own overlay
      `${b.app}:5000`, // no such name on A's network
      `${gateway}:${bPublished}`, // B's published port, through the node
      ...hostIps.map((h) => `${h}:${bPublished}`),
      `${gateway}:${t.platform.port}`, // the api
      `${gateway}:${t.platform.rendezvousPort}`,
      ...hostIps.map((h) => `${h}:${t.platform.port}`),
    ];
    const lines = await probeFrom(inA, refused);
    expect(lines.size).toBe(refused.length);
    for (const target of refused) expect(lines.get(target), target).not.toBe('CONNECTED');
    expect(await getFrom(inA, gateway, t.agent.routerPort, b.host)).toBe('200 {"dyno":"web.1","uid":1000}');
    expect((await paas(['ps', '-a', b.app], { home: t.home })).stdout).toContain('web.1');
  });
});
