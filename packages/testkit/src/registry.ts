/**
 * The platform's image registry in a test, as deploy/registry.sh sets it up (Debian's
 * docker-registry, TLS from the platform CA, htpasswd), bound on the host's address on
 * Docker's bridge, where the host engine and the test's Swarm nodes reach it and nothing
 * else does. The engine's trust for it (/etc/docker/certs.d/ADDRESS:PORT) goes with `stop()`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { bridgeGateway } from './dind.js';
import { collectOutput, freePort, ROOT, run } from './env.js';
import { recordDir, recordProcess } from './sweep.js';
import { eventually } from './wait.js';

export interface Registry {
  /** `host:port`: PAAS_REGISTRY. */
  address: string;
  caFile: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Needs the platform CA: start the api once on `dataDir` first. */
export async function startRegistry(dataDir: string): Promise<Registry> {
  const host = await bridgeGateway();
  const port = await freePort();
  const address = `${host}:${port}`;
  const { stdout } = await run('bash', [path.join(ROOT, 'deploy/registry.sh'), dataDir, host, String(port)]);
  const config = stdout.trim().split('\n').pop() ?? '';
  // The engine's trust for it goes with the run's sweep too, should the test not get to stop().
  recordDir(`/etc/docker/certs.d/${address}`);
  let output = '';
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  recordProcess('registry', child.pid);
  collectOutput(child, (text) => {
    output += text;
  });
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ host, port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      }),
    30_000,
    `the registry on ${address}`,
  );
  return {
    address,
    caFile: path.join(dataDir, 'tls', 'ca.crt'),
    logs: () => output,
    async stop() {
      child.kill('SIGTERM');
      fs.rmSync(`/etc/docker/certs.d/${address}`, { recursive: true, force: true });
    },
  };
}
