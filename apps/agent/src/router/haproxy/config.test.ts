import { describe, expect, it } from 'vitest';
import type { AppSpec } from './config.js';
import {
  assign,
  renderConfig as render,
  renderAppsMap,
  renderMap,
  slotsFor,
  structureOf,
  threadsFor,
} from './config.js';

const renderConfig = (settings: Parameters<typeof render>[0], apps: AppSpec[]) =>
  render(settings, apps, assign(apps, new Map()));

const settings = { dir: '/d', port: 8080, timeoutSeconds: 30, logLines: true };
const servers = (n: number, drain = false) =>
  Array.from({ length: n }, (_, i) => ({ name: `web.${i + 1}`, host: '127.0.0.1', port: 30000 + i, drain }));

describe('the HAProxy configuration', () => {
  it('gives each app a backend of server slots: its endpoints, draining ones disabled, the rest free', () => {
    const text = renderConfig(settings, [
      { app: 'shop', hosts: ['shop.localhost'], servers: [...servers(1), ...servers(2, true).slice(1)] },
    ]);
    expect(text).toContain('backend b1\n  balance roundrobin\n');
    expect(text).toContain('  use_backend %[var(txn.app),map(/d/apps.map)]\n');
    expect(text).toContain(
      '  server s1 127.0.0.1:30000\n  server s2 127.0.0.1:30001 disabled\n  server s3 127.0.0.1:1 disabled\n',
    );
    // 16 backends of 16 slots: b1 is shop's, the others wait for new apps.
    expect(text.match(/^ {2}server s\d+ /gm)).toHaveLength(16 * 16);
    expect(text).toContain('backend b16\n');
    expect(text).toContain('  log fd@3 len 4096 format raw local0 info\n');
    expect(renderConfig({ ...settings, logLines: false }, [])).not.toContain('log fd@');
  });

  it('terminates TLS on the TLS port with the default certificate and the crt-list, saying https to the app', () => {
    const text = renderConfig({ ...settings, tlsPort: 8443 }, []);
    expect(text).toContain(
      '  bind :8080\n  bind :8443 ssl crt /d/certs/default.pem crt-list /d/certs/certs.list alpn http/1.1\n',
    );
    expect(text).toContain('set-header x-forwarded-proto https if { ssl_fc }');
    expect(renderConfig(settings, [])).not.toContain('ssl crt');
    // Turning HTTPS on is a reload; certificates come and go at runtime (certs.ts).
    expect(structureOf(text)).not.toBe(structureOf(renderConfig(settings, [])));
  });

  it('needs a reload for a new app, more slots, another port or log target, not for where slots point', () => {
    const base = structureOf(renderConfig(settings, [{ app: 'a', hosts: [], servers: servers(2) }]));
    expect(structureOf(renderConfig(settings, [{ app: 'a', hosts: ['x'], servers: servers(16, true) }]))).toBe(base);
    expect(structureOf(renderConfig(settings, [{ app: 'a', hosts: [], servers: servers(17) }]))).not.toBe(base);
    // A new app takes a free backend: no reload; the seventeenth needs more backends.
    expect(structureOf(renderConfig(settings, [{ app: 'b', hosts: [], servers: servers(2) }]))).toBe(base);
    const many = Array.from({ length: 17 }, (_, i) => ({ app: `a${i}`, hosts: [], servers: servers(1) }));
    expect(structureOf(renderConfig(settings, many))).not.toBe(base);
    expect(
      structureOf(renderConfig({ ...settings, port: 8081 }, [{ app: 'a', hosts: [], servers: servers(2) }])),
    ).not.toBe(base);
    expect([slotsFor(0), slotsFor(16), slotsFor(17)]).toEqual([16, 16, 32]);
  });

  it('keeps each app in its backend and gives new ones the first free', () => {
    const apps = ['a', 'b', 'c'].map((app) => ({ app, hosts: [], servers: [] }));
    const kept = assign(
      apps,
      new Map([
        ['b', 'b1'],
        ['gone', 'b2'],
        ['c', 'b40'],
      ]),
    );
    expect(kept).toEqual(
      new Map([
        ['b', 'b1'],
        ['a', 'b2'],
        ['c', 'b3'],
      ]),
    );
    expect(renderAppsMap(kept)).toBe('b b1\na b2\nc b3\n');
  });

  it('gives HAProxy half the CPUs, at least one thread', () => {
    expect([1, 2, 3, 8].map(threadsFor)).toEqual([1, 1, 1, 4]);
    expect(renderConfig({ ...settings, threads: 1 }, [])).toContain('  master-worker\n  nbthread 1\n');
    expect(renderConfig(settings, [])).not.toContain('nbthread');
  });

  it('reads the first request of a connection as it came, and refuses one with both Content-Length and Transfer-Encoding', () => {
    const text = renderConfig(settings, []);
    expect(text).toMatch(/frontend router\n {2}bind :8080\n {2}mode tcp\n {2}tcp-request inspect-delay 30s\n/);
    expect(text).toContain(
      '  tcp-request content switch-mode http\n  http-request deny deny_status 400 if { var(sess.smuggling) -m bool }\n',
    );
  });

  it('maps each host, lower case, to its app', () => {
    expect(renderMap([{ app: 'shop', hosts: ['Shop.localhost', 'www.shop.com'], servers: [] }])).toBe(
      'shop.localhost shop\nwww.shop.com shop\n',
    );
  });
});
