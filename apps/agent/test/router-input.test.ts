/**
 * What the router lets through and what it says: bad requests (a smuggling attempt with both
 * Content-Length and Transfer-Encoding, a 100 KB header, a malformed request line) get a 4xx and
 * never reach the app, and each kind of answer has its Heroku router line in `paas logs` (200 with
 * its dyno and timings, H12, H13, H14, H27) while an unknown host is logged to no app.
 */
import http from 'node:http';
import net from 'node:net';
import { deployRouted, eventually, loggedInHome, routerGet, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

// Remembers every request it gets (/seen lists them); /slow never answers, /crash hangs up.
const SERVER = `const seen = [];
require('node:http').createServer((req, res) => {
  if (req.url === '/seen') return res.end(JSON.stringify(seen));
  seen.push({ url: req.url, headers: req.headers });
  if (req.url.startsWith('/slow')) return;
  if (req.url === '/crash') return req.socket.destroy();
  req.resume();
  req.on('end', () => res.end('ok ' + process.env.DYNO));
}).listen(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));
`;

/** Writes raw bytes to the router and returns what comes back until the socket closes (or 3 s). */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c) => {
      text += c.toString();
    });
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
    setTimeout(() => {
      socket.destroy();
      resolve(text);
    }, 3000).unref();
  });
}

it('keeps bad requests from the app and logs every answer as Heroku does', async () => {
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1', { PAAS_ROUTER_TIMEOUT: '2' });
    const home = await loggedInHome(platform);
    const { host, cli } = await deployRouted(home, agent, 'input', { 'server.js': SERVER });
    const port = agent.routerPort;

    const smuggled = await raw(
      port,
      `POST /both HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    );
    const big = await raw(port, `GET /big HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`);
    const malformed = await raw(port, `GET /a b c HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    const control = await raw(port, `GE\x01T /ctl HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    // Both headers, whichever comes first and however spelled: a 400 the app never sees.
    const swapped = await raw(
      port,
      `POST /swapped HTTP/1.1\r\nHost: ${host}\r\ntransfer-encoding: chunked\r\nCONTENT-LENGTH: 5\r\n\r\n0\r\n\r\n`,
    );
    for (const answer of [smuggled, swapped, big, malformed, control]) expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(smuggled.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    // Not fooled by a body that spells the headers, nor by Transfer-Encoding alone.
    const body = 'x\r\nTransfer-Encoding: chunked\r\n\r\n';
    const spelled = await raw(
      port,
      `POST /spelled HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const chunked = await raw(
      port,
      `POST /chunked HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    );
    for (const answer of [spelled, chunked]) expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    // A later request of a keep-alive connection with both is HAProxy's parser's alone: by
    // Transfer-Encoding without the Content-Length, and the connection closed after it.
    const later = await raw(
      port,
      `GET /first HTTP/1.1\r\nHost: ${host}\r\n\r\nPOST /later HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /behind HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    );
    expect(later.match(/HTTP\/1\.1 200 /g)).toHaveLength(2);
    expect(later).toMatch(/\r\nconnection: close\r\n/i);
    const seen = JSON.parse((await routerGet(port, host, { path: '/seen' })).text) as {
      url: string;
      headers: Record<string, string>;
    }[];
    // "/" is the agent's probe and deployRouted's wait.
    expect(seen.map((s) => s.url).filter((u) => u !== '/')).toEqual(['/spelled', '/chunked', '/first', '/later']);
    const laterSeen = seen.find((s) => s.url === '/later');
    expect(laterSeen?.headers['content-length']).toBeUndefined();
    expect(laterSeen?.headers['transfer-encoding']).toBe('chunked');

    expect((await routerGet(port, host, { path: '/slow' })).status).toBe(504);
    expect((await routerGet(port, host, { path: '/crash' })).status).toBe(503);
    expect((await routerGet(port, 'nobody.localhost', { path: '/unknown-host' })).status).toBe(404);
    // The client hangs up while the app thinks.
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/slow?gone', headers: { host } });
      req.on('error', () => {});
      req.on('close', () => resolve());
      setTimeout(() => req.destroy(), 300);
    });
    expect((await cli('ps:scale', 'web=0')).code).toBe(0);
    await eventually(async () => (await routerGet(port, host)).status === 503, 30_000, 'no web process');

    let out = '';
    const lines = await eventually(
      async () => {
        out = (await cli('logs', '-p', 'router', '-n', '1500')).stdout;
        return / code=H27 /.test(out) && / code=H14 /.test(out) ? out : undefined;
      },
      20_000,
      'router lines',
    ).catch((err) => {
      console.log(`router lines so far:\n${out}`);
      throw err;
    });
    const line = (re: RegExp) => lines.split('\n').find((l) => re.test(l));
    const id = '\\S+ fwd="127\\.0\\.0\\.1"';
    expect(line(/path="\/seen"/)).toMatch(
      new RegExp(
        `paas\\[router\\]: at=info method=GET path="/seen" host=${host} request_id=${id} dyno=web\\.1 connect=\\d+ms service=\\d+ms status=200 bytes=\\d+ protocol=http$`,
      ),
    );
    expect(line(/path="\/slow"/)).toMatch(
      new RegExp(
        `at=error code=H12 desc="Request timeout" method=GET path="/slow" host=${host} request_id=${id} dyno=web\\.1 connect=\\d+ms service=(19|2\\d)\\d\\dms status=504 `,
      ),
    );
    expect(line(/path="\/crash"/)).toMatch(
      /at=error code=H13 desc="Connection closed without response" .* dyno=web\.1 .* status=503 /,
    );
    expect(line(/path="\/slow\?gone"/)).toMatch(/at=error code=H27 desc="Client Request Interrupted" .* status=499 /);
    expect(line(/code=H14/)).toMatch(
      /at=error code=H14 desc="No web processes running" method=GET path="\/" .* dyno= .* status=503 /,
    );
    expect(lines).not.toContain('/unknown-host');
    expect(lines).not.toContain('/smuggled');
    expect(lines).not.toMatch(/path="\/(both|swapped|behind|big|ctl|a)/);
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 180_000);
