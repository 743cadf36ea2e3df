// DockerImageEngine.remove against the real engine: an image with two references (its local
// tag and, under swarm, the registry's digest a task pulled) is removed by id, unforced.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { DockerImageEngine } from './docker.js';

const run = promisify(execFile);
const tag = randomBytes(4).toString('hex');
const repos = [`paas-test/refs-a-${tag}`, `paas-test/refs-b-${tag}`];

afterAll(async () => {
  await run('docker', ['rmi', '-f', ...repos]).catch(() => {});
});

it('removes an image two repositories reference; one a container uses stays (a conflict)', async () => {
  const docker = new DockerImageEngine();
  const build = async (label: string) => {
    const { stdout } = await run('sh', [
      '-c',
      `printf 'FROM paas/debian:bookworm\\nLABEL paas.test=${label}\\n' | docker build -q -t ${repos[0]}:${label} -`,
    ]);
    await run('docker', ['tag', `${repos[0]}:${label}`, `${repos[1]}:${label}`]);
    return stdout.trim();
  };
  const free = await build(`free-${tag}`);
  expect(await docker.remove(free)).toEqual({ status: 'removed' });
  expect(await docker.inspect(free)).toBeNull();

  const used = await build(`used-${tag}`);
  const { stdout } = await run('docker', ['create', used, 'true']);
  try {
    expect((await docker.remove(used)).status).toBe('conflict');
  } finally {
    await run('docker', ['rm', '-f', stdout.trim()]);
  }
  expect(await docker.remove(used)).toEqual({ status: 'removed' });
});
