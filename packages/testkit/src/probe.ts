/**
 * Tries TCP connections from inside a container (node's net, 3 s each, all at once): what an
 * app's process can reach. Each `host:port` given maps to `CONNECTED`, `TIMEOUT` or
 * `ERROR <code>`. The container's image needs node (the test apps' do).
 */
import { run } from './env.js';

const PROBE = `const net = require('node:net');
const targets = process.argv.slice(1);
let left = targets.length;
for (const t of targets) {
  const i = t.lastIndexOf(':');
  const s = net.connect({ host: t.slice(0, i), port: Number(t.slice(i + 1)), timeout: 3000 });
  const done = (what) => { console.log(t + ' ' + what); s.destroy(); if (!--left) process.exit(0); };
  s.on('connect', () => done('CONNECTED'));
  s.on('timeout', () => done('TIMEOUT'));
  s.on('error', (e) => done('ERROR ' + e.code));
}`;

export async function probeFrom(containerId: string, targets: string[]): Promise<Map<string, string>> {
  const { stdout } = await run('docker', ['exec', containerId, 'node', '-e', PROBE, ...targets]);
  return new Map(
    stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.split(' ')[0] ?? '', l.split(' ').slice(1).join(' ')]),
  );
}

/** `GET /` with Host `host` from inside a container to `address:port` (a router): `STATUS BODY` or `ERROR CODE`. */
export async function getFrom(containerId: string, address: string, port: number, host: string): Promise<string> {
  const script = `require('node:http').get({ host: '${address}', port: ${port}, headers: { host: '${host}' } }, (r) => { let t = ''; r.on('data', (c) => (t += c)); r.on('end', () => console.log(r.statusCode + ' ' + t)); }).on('error', (e) => console.log('ERROR ' + e.code));`;
  return (await run('docker', ['exec', containerId, 'node', '-e', script])).stdout.trim();
}

/** The host's IPv4 addresses (`hostname -I`) but `except` (a container's gateway, say). */
export async function hostAddresses(except?: string): Promise<string[]> {
  return (await run('hostname', ['-I'])).stdout
    .trim()
    .split(/\s+/)
    .filter((x) => x && !x.includes(':') && x !== except);
}
