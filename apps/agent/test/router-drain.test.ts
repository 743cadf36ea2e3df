/**
 * Draining is keyed by container: once a drained container is gone, a new web process that
 * Docker gives the same host port gets traffic (before, the port stayed drained for good and
 * the router answered 503 H14 while `ps` showed the process up). Real sockets, real HAProxy
 * run by the router controller.
 */
import http from 'node:http';
import type net from 'node:net';
import { freePort, routerGet, tempDir } from '@paas/testkit';
import pino from 'pino';
import { expect, it } from 'vitest';
import { RouterController } from '../src/router/controller.js';

const serve = (text: string, port = 0) =>
  new Promise<http.Server>((resolve) => {
    const server = http.createServer((_q, s) => s.end(text));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (s: http.Server) => new Promise((r) => s.close(r).closeAllConnections());

it('routes to a new process on the port of a drained container once that container is gone', async () => {
  const port = await freePort();
  const router = new RouterController({
    dir: tempDir('paas-router-'),
    port,
    timeoutSeconds: 5,
    log: pino({ level: 'silent' }),
  });
  const { table } = router;
  table.replace([{ app: 'shop', hosts: ['shop.localhost'], endpoints: [] }]);
  await router.start();
  const old = await serve('old');
  const endpoint = { host: '127.0.0.1', port: (old.address() as net.AddressInfo).port };
  try {
    table.setLocal(new Map([['shop', [{ ...endpoint, name: 'web.1' }]]]));
    await router.update();
    expect((await routerGet(port, 'shop.localhost', { agent: false })).text).toBe('old');

    await router.drain('container-old', endpoint); // about to be stopped: no new requests
    expect((await routerGet(port, 'shop.localhost', { agent: false })).status).toBe(503);
    await close(old);
    table.release('container-old'); // gone

    const fresh = await serve('new', endpoint.port); // the same host port, another container
    try {
      table.setLocal(new Map([['shop', [{ ...endpoint, name: 'web.1' }]]]));
      await router.update();
      const answer = await routerGet(port, 'shop.localhost', { agent: false });
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('new');
    } finally {
      await close(fresh);
    }
  } finally {
    await router.close();
    process.kill(router.haproxy.masterPid, 'SIGTERM');
  }
});

it('drains before a stop: no new requests, and waits for the one in flight to finish', async () => {
  const port = await freePort();
  const router = new RouterController({
    dir: tempDir('paas-router-'),
    port,
    timeoutSeconds: 5,
    log: pino({ level: 'silent' }),
  });
  const { table } = router;
  let arrived: () => void = () => {};
  const inFlight = new Promise<void>((r) => {
    arrived = r;
  });
  const slow = http.createServer((_q, s) => {
    arrived();
    setTimeout(() => s.end('done'), 800);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
  const endpoint = { host: '127.0.0.1', port: (slow.address() as net.AddressInfo).port };
  table.replace([{ app: 'shop', hosts: ['shop.localhost'], endpoints: [{ ...endpoint, name: 'web.1' }] }]);
  await router.start();
  try {
    const request = routerGet(port, 'shop.localhost', { agent: false }).then((r) => ({ ...r, at: Date.now() }));
    await inFlight;
    const drained = await router.drain('container-1', endpoint).then(() => Date.now());
    const answer = await request;
    expect(answer.text).toBe('done');
    expect(drained).toBeGreaterThanOrEqual(answer.at - 20); // not before the request ended
    expect((await routerGet(port, 'shop.localhost', { agent: false })).status).toBe(503);
  } finally {
    await close(slow);
    await router.close();
    process.kill(router.haproxy.masterPid, 'SIGTERM');
  }
});
