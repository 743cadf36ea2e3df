/**
 * Nothing acknowledged is lost under faults: the api and the agent SIGKILLed while a worker
 * prints, an agent fed junk by its api, and an agent whose link to Docker breaks. Each line the
 * worker printed is in `paas logs` exactly once, in order, and the app keeps serving.
 */
import fs from 'node:fs';
import { createServer } from 'node:https';
import net from 'node:net';
import path from 'node:path';
import {
  deployRouted,
  eventually,
  freePort,
  HELLO_SERVER,
  loggedInHome,
  paas,
  routerGet,
  startAgent,
  startPlatform,
  tempDir,
  testCertificate,
} from '@paas/testkit';
import { expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';

// Two lines a second, numbered; a crash of the agent or the api must not lose one.
const WORKER = `let n = 0;
setInterval(() => console.log('tick ' + ++n), 500);
process.on('SIGTERM', () => process.exit(0));
`;
const FILES = {
  'server.js': HELLO_SERVER,
  'worker.js': WORKER,
  Procfile: 'web: node server.js\nworker: node worker.js\n',
};

const ticksIn = (text: string) =>
  text
    .split('\n')
    .flatMap((l) => /app\[worker\.1\]: tick (\d+)$/.exec(l)?.[1] ?? [])
    .map(Number);

/** Every number from the first to the last, once each, in order. */
function expectEveryTickOnce(ticks: number[]) {
  expect(ticks.length).toBeGreaterThan(10);
  const first = ticks[0] as number;
  expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => first + i));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('keeps every log line exactly once through three api kills and an agent kill', async () => {
  const platform = await startPlatform();
  try {
    let agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, cli } = await deployRouted(home, agent, 'faults', FILES, 60_000);
    expect((await cli('ps:scale', 'worker=1')).code).toBe(0);
    const logs = async () => (await paas(['logs', '-n', '1500', '-a', app], { home })).stdout;
    const lastTick = async () => ticksIn(await logs()).at(-1) ?? 0;
    await eventually(async () => (await lastTick()) >= 3, 30_000, 'the worker ticking');

    for (let i = 0; i < 3; i++) {
      await platform.restart('SIGKILL'); // with a 2 s outage: the api takes that long to start
      const before = await eventually(lastTick, 30_000, 'ticks after the api restart');
      await eventually(async () => (await lastTick()) >= before + 2, 30_000, 'more ticks');
    }
    expect(await agent.stop('SIGKILL')).toBe(null);
    await sleep(2000); // the worker goes on printing while its agent is down
    agent = await platform.startAgent('agent-1');
    const atRestart = await lastTick();
    await eventually(async () => (await lastTick()) >= atRestart + 8, 30_000, 'ticks after the agent restart');

    const text = await logs();
    expectEveryTickOnce(ticksIn(text));
    const lines = text.trim().split('\n');
    // Adoption is not a start: each process was started once, and came up once.
    for (const process of ['web.1', 'worker.1']) {
      expect(
        lines.filter((l) => l.includes(`paas[${process}]: Starting process`)),
        process,
      ).toHaveLength(1);
      expect(lines.filter((l) => l.includes(`paas[${process}]: State changed from starting to up`))).toHaveLength(1);
    }
    // No line (time, process and text) appears twice.
    const paasLines = lines.filter((l) => / paas\[/.test(l));
    expect(paasLines.filter((l, i) => paasLines.indexOf(l) !== i)).toEqual([]);
    expect((await routerGet(agent.routerPort, `${app}.localhost`)).status).toBe(200);
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 240_000);

it('an agent fed junk by its api keeps running and obeys the next good message', async () => {
  const port = await freePort();
  // A fake api's agent channel: TLS with its own CA (the one the agent is told to trust).
  const { caFile, key, cert } = await testCertificate();
  const https = createServer({ key, cert });
  const server = new WebSocketServer({ server: https });
  await new Promise<void>((resolve) => https.listen(port, '127.0.0.1', resolve));
  const received: { type: string }[] = [];
  const connected = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const credentialFile = path.join(tempDir('paas-cred-'), 'credential');
  fs.writeFileSync(credentialFile, 'junk-fed:a-credential-of-a-fake-api-0123\n', { mode: 0o600 });
  const agent = await startAgent({
    url: 'http://127.0.0.1:1',
    agentPort: port,
    credentialFile,
    caFile,
    id: 'junk-fed',
    dataDir: tempDir('paas-data-'),
    env: { PAAS_ROUTER_PORT: '0' },
  });
  try {
    const socket = await connected;
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    await eventually(async () => received.some((m) => m.type === 'hello'), 10_000, 'hello');
    for (const junk of [
      'not json',
      '[]',
      '{"type":"desired","processes":"nope"}',
      '{"type":"welcome"}',
      '{"type":"logs-ack","run":5}',
      '{"type":"unheard-of"}',
      Buffer.from([0xff, 0x00, 0x13]),
    ]) {
      socket.send(junk);
    }
    await sleep(500);
    expect(agent.process.exitCode).toBe(null);
    socket.send(JSON.stringify({ type: 'welcome', platformId: `junk-${Date.now()}` }));
    socket.send(JSON.stringify({ type: 'desired', processes: [] }));
    const statuses = received.filter((m) => m.type === 'status').length;
    await eventually(async () => received.filter((m) => m.type === 'status').length > statuses, 10_000, 'a status');
    expect(agent.process.exitCode).toBe(null);
    expect(agent.logs()).toMatch(/ignored a (malformed )?message from the api/);
  } finally {
    await agent.stop();
    await new Promise((r) => server.close(r));
    await new Promise((r) => https.close(r));
  }
}, 60_000);

/** A TCP link to the Docker engine that the test can cut and mend. */
async function dockerLink() {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const serve = () =>
    net.createServer((client) => {
      const engine = net.connect('/var/run/docker.sock');
      for (const s of [client, engine]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(engine).pipe(client);
    });
  let server = serve();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    host: `tcp://127.0.0.1:${port}`,
    async cut() {
      await new Promise((r) => {
        server.close(r);
        for (const s of sockets) s.destroy();
      });
    },
    async mend() {
      server = serve();
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

it('an agent whose link to Docker breaks keeps running, serving and shipping every line', async () => {
  const link = await dockerLink();
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1', { DOCKER_HOST: link.host });
    const home = await loggedInHome(platform);
    const { app, host, cli } = await deployRouted(home, agent, 'dockerlink', FILES, 60_000);
    expect((await cli('ps:scale', 'worker=1')).code).toBe(0);
    const lastTick = async () =>
      ticksIn((await paas(['logs', '-n', '1500', '-p', 'worker', '-a', app], { home })).stdout).at(-1) ?? 0;
    await eventually(async () => (await lastTick()) >= 3, 30_000, 'the worker ticking');

    await link.cut();
    for (let i = 0; i < 6; i++) {
      expect((await routerGet(agent.routerPort, host)).status).toBe(200);
      await sleep(1000);
    }
    expect(agent.process.exitCode).toBe(null);
    await link.mend();

    const mended = await lastTick();
    await eventually(async () => (await lastTick()) >= mended + 6, 40_000, 'ticks after the link came back');
    expectEveryTickOnce(ticksIn((await paas(['logs', '-n', '1500', '-p', 'worker', '-a', app], { home })).stdout));
    // Docker calls work again: a scale-up converges.
    expect((await cli('ps:scale', 'web=2')).code).toBe(0);
    await eventually(
      async () => {
        const dynos = (await platform.api<{ name: string; state: string }[]>('GET', `/apps/${app}/dynos`)).body;
        return dynos.filter((d) => d.name.startsWith('web.') && d.state === 'up').length === 2;
      },
      30_000,
      'web=2 up',
    );
    expect(agent.process.exitCode).toBe(null);
  } finally {
    await platform.removeContainers();
    await platform.stop();
    await link.close();
  }
}, 240_000);
