/**
 * The router on the agent's host: Host routing, round-robin, forwarded headers, request ids,
 * upgrades passed through, and readable errors. Real containers behind it.
 */
import net from 'node:net';
import { type Agent, deployRouted, eventually, loggedInHome, paas, routerGet, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';
import WebSocket from 'ws';

const SERVER = `const http = require('node:http');
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ dyno: process.env.DYNO, url: req.url, headers: req.headers }));
});
// Upgrades: "echo" echoes raw bytes; "websocket" is a minimal WebSocket echo (text frames).
server.on('upgrade', (req, socket) => {
  if (req.headers.upgrade !== 'websocket') {
    socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: echo\\r\\nConnection: Upgrade\\r\\n\\r\\n');
    return socket.pipe(socket);
  }
  const accept = require('node:crypto').createHash('sha1')
    .update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  socket.on('data', (buf) => {
    const len = buf[1] & 127; // short frames only
    const mask = buf.subarray(2, 6);
    const text = Buffer.from(buf.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4])).toString();
    const reply = Buffer.from('echo: ' + text + ' from ' + process.env.DYNO);
    socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]));
  });
});
server.listen(process.env.PORT);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const through = (agent: Agent, host: string, path = '/', headers: Record<string, string> = {}) =>
  routerGet(agent.routerPort, host, { path, headers });

function upgradeEcho(port: number, host: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    let upgraded = false;
    socket.on('connect', () =>
      socket.write(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n`),
    );
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (!upgraded && received.includes('\r\n\r\n')) {
        if (!received.startsWith('HTTP/1.1 101')) return reject(new Error(received));
        upgraded = true;
        received = received.slice(received.indexOf('\r\n\r\n') + 4);
        socket.write(message);
      }
      if (upgraded && received.length >= message.length) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`no echo: ${received}`)), 10_000).unref();
  });
}

it('routes by Host over all web processes, with forwarded headers, upgrades and clear errors', async () => {
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, host, repo, cli } = await deployRouted(home, agent, 'routed', { 'server.js': SERVER });

    expect((await paas(['ps:scale', 'web=3'], { home, cwd: repo })).code).toBe(0);
    const seen = await eventually(
      async () => {
        const dynos = new Set<string>();
        for (let i = 0; i < 9; i++) dynos.add(JSON.parse((await through(agent, host)).text).dyno);
        return dynos.size === 3 ? dynos : undefined;
      },
      30_000,
      'three processes answering',
    );
    expect([...seen].sort()).toEqual(['web.1', 'web.2', 'web.3']);

    const echoed = await through(agent, `${host}:${agent.routerPort}`, '/path?q=1', { 'x-request-id': 'my-id-123' });
    const body = JSON.parse(echoed.text) as { url: string; headers: Record<string, string> };
    expect(body.url).toBe('/path?q=1');
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers['x-forwarded-port']).toBe(String(agent.routerPort));
    expect(body.headers['x-request-id']).toBe('my-id-123');
    expect(echoed.headers['x-request-id']).toBe('my-id-123');
    const generated = JSON.parse((await through(agent, host)).text) as { headers: Record<string, string> };
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    expect(await upgradeEcho(agent.routerPort, host, 'ping through the router')).toBe('ping through the router');
    const ws = new WebSocket(`ws://127.0.0.1:${agent.routerPort}/socket`, { headers: { host } });
    const echo = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (data) => resolve(String(data)));
      ws.on('error', reject);
    });
    ws.close();
    expect(echo).toMatch(/^echo: hello from web\.\d$/);

    const custom = `www.${app}.example.com`;
    expect((await through(agent, custom)).status).toBe(404);
    const added = await paas(['domains:add', custom.toUpperCase()], { home, cwd: repo });
    expect(added.code, added.stderr).toBe(0);
    await eventually(async () => (await through(agent, custom)).status === 200, 20_000, 'custom domain routed');
    expect((await paas(['domains'], { home, cwd: repo })).stdout).toContain(custom);
    const taken = await platform.api('POST', `/apps/${app}/domains`, { hostname: custom });
    expect(taken).toMatchObject({ status: 409, body: { message: `${custom} is already in use by an app.` } });
    const bad = await paas(['domains:add', 'not a host'], { home, cwd: repo });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('hostname: must be a host name');
    expect((await paas(['domains:remove', custom], { home, cwd: repo })).code).toBe(0);
    await eventually(async () => (await through(agent, custom)).status === 404, 20_000, 'custom domain gone');

    const unknown = await through(agent, 'no-such-app.localhost');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('There is no app at no-such-app.localhost');

    expect((await paas(['ps:scale', 'web=0'], { home, cwd: repo })).code).toBe(0);
    const none = await eventually(
      async () => {
        const r = await through(agent, host);
        return r.status === 503 ? r : undefined;
      },
      30_000,
      '503 with no web processes',
    );
    expect(none.text).toContain('has no web processes running');
    await eventually(
      async () => /"code":"H14","desc":"No web processes running"/.test(agent.logs()),
      5000,
      'H14 logged',
    );
    // Every request has its line in the app's log, in Heroku's router format, and so has the H14.
    const routerLines = await eventually(async () => {
      const r = await cli('logs', '-p', 'router', '-n', '1500');
      return / at=error code=H14 desc="No web processes running" method=GET /.test(r.stdout) ? r.stdout : undefined;
    }, 10_000);
    expect(routerLines).toMatch(
      /paas\[router\]: at=info method=GET path="\/" host=\S+ request_id=\S+ fwd="127\.0\.0\.1" dyno=web\.\d connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http/,
    );
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
});
