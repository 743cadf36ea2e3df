/**
 * Log drains through the real CLI: an HTTP server in the test receives logplex batches whose
 * frames parse; a drain that refuses connections holds nothing up and its failures reach the
 * others; a syslog+tcp server receives octet-counted RFC 5424 frames; bad URLs are refused.
 * Drains reach no internal address (loopback, private, link-local…) unless the operator allows
 * a range (PAAS_DRAIN_ALLOW: these receivers listen on loopback), checked when a drain is added
 * and again on each connection; a failing drain's report echoes nothing the receiver said.
 */
import http from 'node:http';
import net from 'node:net';
import { eventually, freePort, loggedInHome, makeRepo, paas, startPlatform, tempDir } from '@paas/testkit';
import { expect, it } from 'vitest';
import { parseFrames } from '../../api/src/core/syslog.js';

interface Batch {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

it('sends log lines to HTTP and syslog drains in Heroku framing, and survives a dead one', async () => {
  const batches: Batch[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/answers-500') return res.writeHead(500, 'Secret Reason').end('secret-body-of-the-receiver');
      batches.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const httpPort = (receiver.address() as net.AddressInfo).port;
  let syslogBytes = Buffer.alloc(0);
  const syslog = net.createServer((socket) =>
    socket.on('data', (c: Buffer) => {
      syslogBytes = Buffer.concat([syslogBytes, c]);
    }),
  );
  await new Promise<void>((r) => syslog.listen(0, '127.0.0.1', () => r()));
  const syslogPort = (syslog.address() as net.AddressInfo).port;
  const deadPort = await freePort();

  const platform = await startPlatform({ env: { PAAS_DRAIN_ALLOW: '127.0.0.0/8' } });
  try {
    const home = await loggedInHome(platform);
    const repo = await makeRepo(home, { files: { 'README.md': 'x' } });
    const cli = (...args: string[]) => paas(args, { home, cwd: repo });
    expect((await cli('apps:create', 'drained')).code).toBe(0);

    const url = `http://127.0.0.1:${httpPort}/logs`;
    const added = await cli('drains:add', url);
    expect(added.stdout).toBe(`Successfully added drain ${url}\n`);
    expect((await cli('drains:add', `http://127.0.0.1:${deadPort}/`)).code).toBe(0);
    expect((await cli('drains:add', `syslog+tcp://127.0.0.1:${syslogPort}`)).code).toBe(0);
    expect((await cli('drains:add', `http://127.0.0.1:${httpPort}/answers-500`)).code).toBe(0);
    const listed = JSON.parse((await cli('drains', '--json')).stdout) as { url: string; token: string }[];
    expect(listed.map((d) => d.url)).toContain(url);
    const token = listed.find((d) => d.url === url)?.token;
    expect(token).toMatch(/^d\.[0-9a-f-]{36}$/);

    // Bad input: clear messages, nothing added.
    const refused = {
      'ftp://x': 'url: must start with https://, http:// or syslog+tcp://',
      'not a url': 'url: must be a URL like https://logs.example.com/paas or syslog+tcp://host:514',
      'syslog+tcp://host-without-port': 'url: syslog+tcp:// needs a port, like syslog+tcp://host:514',
      [`https://logs.example.com/${'a'.repeat(1000)}`]: 'url: must be at most 1000 characters',
    };
    for (const [bad, message] of Object.entries(refused)) {
      const r = await cli('drains:add', bad);
      expect(r.code, bad).not.toBe(0);
      expect(r.stderr, bad).toContain(message);
    }
    const again = await cli('drains:add', url);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`${url} is already a drain of this app.`);
    expect(JSON.parse((await cli('drains', '--json')).stdout)).toHaveLength(4);

    // Platform events make log lines: each config change is a release.
    for (const n of [1, 2, 3]) expect((await cli('config:set', `N=${n}`)).code).toBe(0);
    const frames = await eventually(async () => {
      const all = batches.flatMap((b) => parseFrames(b.body));
      return all.filter((f) => /Release v3 created/.test(f.message)).length > 0 ? all : undefined;
    }, 15_000);
    for (const b of batches) {
      expect(b.headers['content-type']).toBe('application/logplex-1');
      expect(Number(b.headers['logplex-msg-count'])).toBe(parseFrames(b.body).length);
      expect(b.headers['logplex-frame-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(b.headers['logplex-drain-token']).toBe(token);
      expect(b.headers['user-agent']).toBe('paas-logplex');
      // No Docker here: every line is the platform's (api events, drain reports).
      for (const f of parseFrames(b.body))
        expect(f).toMatchObject({
          pri: 190,
          hostname: token,
          appName: 'paas',
          procId: expect.stringMatching(/^(api|logs)$/),
        });
    }
    const release = frames.find((f) => /Release v1 created/.test(f.message));
    expect(release).toMatchObject({ pri: 190, hostname: token, appName: 'paas', procId: 'api' });
    expect(release?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);

    // The dead drain's failures are told in the app's log, and so reach the live drain.
    await eventually(
      async () =>
        batches
          .flatMap((b) => parseFrames(b.body))
          .some((f) =>
            new RegExp(
              `Error L13 \\(local delivery error\\): drain http://127\\.0\\.0\\.1:${deadPort}/ failed: could not deliver;`,
            ).test(f.message),
          ),
      15_000,
      'the dead drain reported',
    );
    // The one answering 500 is reported the same way: its status, reason and body stay its own.
    const reports = async () => (await cli('logs', '-n', '1500')).stdout;
    await eventually(async () => (await reports()).includes('/answers-500 failed: could not deliver'), 15_000);
    const text = await reports();
    for (const echo of ['ECONNREFUSED', 'HTTP 500', 'Secret Reason', 'secret-body']) {
      expect(text.split('\n').filter((l) => l.includes('L13') && l.includes(echo))).toEqual([]);
    }

    // syslog+tcp: octet-counted RFC 5424 frames.
    const tcpFrames = await eventually(async () => {
      const parsed = parseFrames(syslogBytes);
      return parsed.some((f) => /Release v3 created/.test(f.message)) ? parsed : undefined;
    }, 15_000);
    expect(tcpFrames[0]).toMatchObject({ pri: 190, appName: 'paas', procId: 'api' });

    // Removed: no more deliveries.
    expect((await cli('drains:remove', url)).stdout).toBe(`Successfully removed drain ${url}\n`);
    const count = batches.length;
    expect((await cli('config:set', 'N=4')).code).toBe(0);
    await eventually(async () => parseFrames(syslogBytes).some((f) => /Release v4 created/.test(f.message)), 15_000);
    expect(batches.length).toBe(count);
    expect((await cli('drains:remove', url)).stderr).toContain('is not a drain of');
  } finally {
    await platform.stop();
    receiver.close();
    syslog.close();
  }
}, 120_000);

it('refuses drains to internal addresses when added, and again when sending (a drain stored before)', async () => {
  let received = 0;
  const receiver = http.createServer((_req, res) => {
    received++;
    res.end();
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const port = (receiver.address() as net.AddressInfo).port;
  const dataDir = tempDir('paas-data-');
  // Stored while the operator allowed loopback…
  const allowing = await startPlatform({ dataDir, env: { PAAS_DRAIN_ALLOW: '127.0.0.0/8' } });
  let platform = allowing;
  try {
    const home = await loggedInHome(allowing);
    const repo = await makeRepo(home, { files: { 'README.md': 'x' } });
    expect((await paas(['apps:create', 'inward'], { home, cwd: repo })).code).toBe(0);
    expect((await paas(['drains:add', `http://localhost:${port}/stored`], { home, cwd: repo })).code).toBe(0);
    await allowing.stop();

    // …then not: the same store, no allowance.
    platform = await startPlatform({ dataDir, migrate: false });
    const home2 = await loggedInHome(platform);
    const cli = (...args: string[]) => paas([...args, '-a', 'inward'], { home: home2, cwd: repo });
    const refused = {
      [`http://127.0.0.1:${port}/`]: `127.0.0.1 is a loopback address`,
      'http://10.0.0.1/': '10.0.0.1 is a private address',
      'http://169.254.169.254/latest/meta-data': '169.254.169.254 is a link-local address',
      [`http://localhost:${port}/`]: 'localhost is a loopback address',
      'syslog+tcp://[::1]:514': '::1 is a loopback address',
      'https://0.0.0.0/': '0.0.0.0 is an unspecified address',
    };
    for (const [url, message] of Object.entries(refused)) {
      const r = await cli('drains:add', url);
      expect(r.code, url).not.toBe(0);
      expect(r.stderr, url).toContain(`Drains may not send to internal addresses: ${message}.`);
    }
    expect(JSON.parse((await cli('drains', '--json')).stdout)).toHaveLength(1); // the stored one only

    // The stored drain resolves to loopback when it connects: refused, nothing sent.
    expect((await cli('config:set', 'N=1')).code).toBe(0);
    await eventually(
      async () => (await cli('logs', '-n', '200')).stdout.includes('/stored refused: localhost is a loopback address'),
      20_000,
      'the refusal in the app log',
    );
    expect(received).toBe(0);
  } finally {
    await platform.stop();
    receiver.close();
  }
}, 120_000);
