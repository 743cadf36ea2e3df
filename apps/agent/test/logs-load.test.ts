/**
 * A slow log subscriber never slows anyone else: while the app prints 10,000 lines/s, a
 * subscriber reading about one line a second loses lines (and is told how many), while
 * `paas logs --tail` gets every line in order.
 */
import http from 'node:http';
import { deployRouted, eventually, loggedInHome, paasStream, routerGet, startPlatform } from '@paas/testkit';
import { expect, it } from 'vitest';

const TOTAL = 100_000;
// GET /blast prints TOTAL numbered lines of about 200 bytes at 10,000 a second (100 every 10 ms),
// then a summary: 20 MB in 10 s, more than the kernel's socket buffers and a subscriber's 8 MB
// queue hide from a slow reader.
const SERVER = `const http = require('node:http');
const pad = '.'.repeat(180);
http.createServer((req, res) => {
  res.end('ok');
  if (req.url !== '/blast') return;
  const started = Date.now();
  let n = 0;
  const timer = setInterval(() => {
    let out = '';
    for (let i = 0; i < 100 && n < ${TOTAL}; i++) out += 'blast ' + ++n + ' ' + pad + '\\n';
    process.stdout.write(out);
    if (n >= ${TOTAL}) {
      clearInterval(timer);
      console.log('blasted ' + n + ' lines in ' + (Date.now() - started) + ' ms');
    }
  }, 10);
}).listen(process.env.PORT, () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
`;

it('keeps the app and other subscribers at full speed while a slow subscriber loses lines and is told', async () => {
  const platform = await startPlatform();
  try {
    const agent = await platform.startAgent('agent-1');
    const home = await loggedInHome(platform);
    const { app, host } = await deployRouted(home, agent, 'loud', { 'server.js': SERVER }, 60_000);

    // The slow subscriber: a log session read about one line (80 bytes) a second.
    const session = await platform.api<{ logplex_url: string }>('POST', `/apps/${app}/log-sessions`, {
      tail: true,
      lines: 0,
      dyno: 'web',
      source: 'app',
    });
    expect(session.status).toBe(201);
    const slow = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(session.body.logplex_url, resolve).on('error', reject),
    );
    slow.pause();
    let slowText = '';
    const trickle = setInterval(() => {
      const chunk = slow.read(80) as Buffer | null;
      if (chunk) slowText += chunk.toString();
    }, 1000);

    const fast = paasStream(['logs', '--tail', '-n', '1', '-p', 'web', '-s', 'app', '-a', app], { home });
    try {
      await fast.waitFor(/app\[web\.1\]: listening$/); // the tail's session is open
      expect((await routerGet(agent.routerPort, host, { path: '/blast' })).status).toBe(200);
      const summary = await fast.waitFor(/blasted \d+ lines in \d+ ms$/, 60_000);
      const numbers = fast
        .lines()
        .flatMap((l) => /app\[web\.1\]: blast (\d+) \.+$/.exec(l.line)?.[1] ?? [])
        .map(Number);
      const told = fast.lines().filter((l) => /Error L1\d/.test(l.line));
      expect(told, 'the fast subscriber was told of losses').toEqual([]);
      expect(numbers).toHaveLength(TOTAL);
      expect(numbers.every((n, i) => n === i + 1)).toBe(true);
      const appMs = Number(/in (\d+) ms$/.exec(summary)?.[1]);
      const got = fast.lines();
      const first = got.find((l) => /blast 1 /.test(l.line))?.at ?? 0;
      const last = got.find((l) => /blasted/.test(l.line))?.at ?? 0;
      process.stdout.write(
        `log load: the app printed ${TOTAL} lines in ${appMs} ms (${Math.round((TOTAL / appMs) * 1000)}/s); ` +
          `logs --tail got all ${numbers.length}, in order, over ${last - first} ms; `,
      );
    } finally {
      await fast.stop();
    }

    // The slow one now reads all it has: what it got plus what it was told it lost is everything.
    clearInterval(trickle);
    let lastData = Date.now();
    slow.on('data', (c: Buffer) => {
      slowText += c.toString();
      lastData = Date.now();
    });
    slow.resume();
    const notices = await eventually(
      async () => {
        const dropped = slowText
          .split('\n')
          .filter((l) => /Error L10 \(output buffer overflow\): \d+ messages dropped/.test(l));
        return Date.now() - lastData > 2000 && dropped.length > 0 ? dropped : undefined;
      },
      30_000,
      'the slow subscriber to be told what it lost',
    );
    slow.destroy();
    // Every line of web's output (TOTAL blasts and the summary) was either received or counted.
    const received = slowText.split('\n').filter((l) => /app\[web\.1\]: (blast \d+ \.+|blasted .*)$/.test(l)).length;
    const dropped = notices.reduce((sum, l) => sum + Number(/: (\d+) messages dropped/.exec(l)?.[1]), 0);
    process.stdout.write(`the slow subscriber got ${received} lines and was told ${dropped} were dropped\n`);
    expect(dropped).toBeGreaterThan(0);
    expect(received + dropped).toBe(TOTAL + 1);
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
}, 240_000);
