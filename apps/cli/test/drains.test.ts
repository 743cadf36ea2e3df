/**
 * Log drains through the real CLI: an HTTP server in the test receives logplex batches whose
 * frames parse; a drain that refuses connections holds nothing up and its failures reach the
 * others; a syslog+tcp server receives octet-counted RFC 5424 frames; bad URLs are refused.
 */
import http from 'node:http';
import net from 'node:net';
import { eventually, freePort, loggedInHome, makeRepo, paas, startPlatform } from '@paas/testkit';
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

  const platform = await startPlatform();
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
    expect(JSON.parse((await cli('drains', '--json')).stdout)).toHaveLength(3);

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
              `Error L13 \\(local delivery error\\): drain http://127\\.0\\.0\\.1:${deadPort}/ failed: ECONNREFUSED`,
            ).test(f.message),
          ),
      15_000,
      'the dead drain reported',
    );

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
