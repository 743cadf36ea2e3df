/**
 * The agent channel is worth trusting: agents reach the api over TLS (PAAS_AGENT_PORT, a
 * certificate from the platform CA), each with its own credential (`paas-admin agents:add`).
 * The old shared token, a wrong credential, a hello as another agent, a plain ws:// connection
 * and a status for a process not placed on the agent are refused; `agents:remove` cuts a live
 * agent off. Real api, real agent process, real sockets.
 */
import fs from 'node:fs';
import { type Agent, admin, appName, eventually, type Platform, startPlatform } from '@paas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

let platform: Platform;
let agent: Agent;

beforeAll(async () => {
  platform = await startPlatform();
  agent = await platform.startAgent('agent-1', { PAAS_ROUTER_PORT: '0' });
  await eventually(async () => platform.logs().includes('"msg":"agent connected"'), 30_000, 'agent-1 connected');
}, 90_000);

afterAll(async () => {
  await platform?.removeContainers();
  await platform?.stop();
});

const basic = (credential: string) => `Basic ${Buffer.from(credential).toString('base64')}`;

/** Opens the agent channel: resolves when open (or with how it was refused). */
function open(
  authorization: string | undefined,
  scheme: 'wss' | 'ws' = 'wss',
  port = platform.agentPort,
): Promise<{ socket?: WebSocket; status?: number; error?: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${scheme}://127.0.0.1:${port}/agents/connect`, {
      ca: fs.readFileSync(platform.caFile),
      headers: authorization ? { authorization } : {},
      handshakeTimeout: 5000,
    });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      socket.terminate();
    });
    socket.once('error', (err) => resolve({ error: err.message }));
  });
}

/** The close code of a socket, once closed by the api. */
const closed = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

describe('agent channel', () => {
  it('refuses the old shared token, the API token, a wrong credential and no credential', async () => {
    expect(await open('Bearer a-shared-agent-token-of-old-0123456789')).toEqual({ status: 401 });
    expect(await open(`Bearer ${platform.token}`)).toEqual({ status: 401 });
    expect(await open(basic('agent-1:not-the-secret-of-agent-1-0123456789'))).toEqual({ status: 401 });
    expect(await open(basic(`agent-1:${platform.token}`))).toEqual({ status: 401 });
    expect(await open(undefined)).toEqual({ status: 401 });
    await eventually(async () => platform.logs().includes('refused an agent without a valid credential'), 10_000);
  });

  it('refuses plain ws://, on the agent port and on the public port', async () => {
    const credential = await platform.addAgent('plain-ws');
    const onAgentPort = await open(basic(credential), 'ws');
    expect(onAgentPort.socket).toBeUndefined();
    const onPublicPort = await open(basic(credential), 'ws', platform.port);
    expect(onPublicPort.status).toBe(404);
  });

  it("closes a connection whose hello names another agent than its credential's", async () => {
    const credential = await platform.addAgent('impostor');
    const { socket } = await open(basic(credential));
    if (!socket) throw new Error('the impostor could not connect at all');
    const code = closed(socket);
    socket.send(JSON.stringify({ type: 'hello', agentId: 'agent-1', hostname: 'x', capacity: 100 }));
    expect(await code).toBe(4401);
    await eventually(
      async () => platform.logs().includes("refused a hello as agent agent-1: the credential is agent impostor's"),
      10_000,
      'the refusal logged',
    );
  });

  it('takes no status for a process not placed on the agent', async () => {
    const name = appName('chan');
    const created = await platform.api<{ id: string }>('POST', '/apps', { name });
    expect(created.status).toBe(201);
    const credential = await platform.addAgent('rogue');
    const { socket } = await open(basic(credential));
    if (!socket) throw new Error('rogue could not connect');
    const welcomed = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'hello', agentId: 'rogue', hostname: 'rogue', capacity: 100 }));
    await welcomed;
    const claim = {
      key: `${created.body.id}:web.1`,
      app: name,
      appId: created.body.id,
      type: 'web',
      index: 1,
      name: 'web.1',
      release: { id: 'r', version: 1 },
      generation: '',
      command: null,
      state: 'up',
      since: new Date().toISOString(),
      exitCode: null,
      restarts: 0,
      containerId: 'c0ffee',
      endpoint: { host: '127.0.0.1', port: platform.port },
    };
    socket.send(JSON.stringify({ type: 'status', processes: [claim] }));
    await eventually(async () => platform.logs().includes('refused statuses for processes'), 10_000, 'refusal');
    const dynos = await platform.api<unknown[]>('GET', `/apps/${name}/dynos`);
    expect(dynos.body).toEqual([]);
    socket.close();
  });

  it('cuts a revoked agent off: its live connection is closed and it cannot come back', async () => {
    const credential = await platform.addAgent('doomed');
    const { socket } = await open(basic(credential));
    if (!socket) throw new Error('doomed could not connect');
    socket.send(JSON.stringify({ type: 'hello', agentId: 'doomed', hostname: 'doomed', capacity: 100 }));
    const code = closed(socket);
    const removed = await admin(platform.dataDir, ['agents:remove', 'doomed']);
    expect(removed.stdout).toContain('Agent doomed: credential revoked');
    expect(await code).toBe(4401);
    expect(await open(basic(credential))).toEqual({ status: 401 });

    // The real agent too: revoked, it is closed and each reconnection is refused.
    await admin(platform.dataDir, ['agents:remove', 'agent-1']);
    await eventually(
      async () => platform.logs().includes('"agent":"agent-1"') && platform.logs().includes('credential revoked'),
      15_000,
      'agent-1 cut off',
    );
    await eventually(async () => /the api refused the agent/.test(agent.logs()), 15_000, 'agent-1 refused');
    expect(agent.logs()).toContain('credential refused');
    const listed = await admin(platform.dataDir, 'agents');
    expect(listed.stdout).not.toMatch(/^agent-1\t/m);
    expect(listed.stdout).toMatch(/^rogue\tissued /m);
  });
});
