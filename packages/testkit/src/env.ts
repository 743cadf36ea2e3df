/** Where things are, and the small process and naming helpers every other module uses. */
import { type ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { recordDir } from './sweep.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// tsx's loader, by path: `--import tsx` would resolve from each child's cwd.
export const TSX = path.join(
  path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
  'dist/loader.mjs',
);
export const NODE_TS = ['--conditions=development', '--import', TSX];
export const CLI = path.join(ROOT, 'apps/cli/bin/paas');

export const run = promisify(execFile);

/** Hands everything a child prints (stdout and stderr) to `append`, as it comes. */
export function collectOutput(child: ChildProcess, append: (text: string) => void): void {
  child.stdout?.on('data', (chunk: Buffer) => append(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => append(chunk.toString()));
}

/** A new directory under the OS temp dir; the run's sweep removes it (see sweep.ts). */
export function tempDir(prefix = 'paas-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  recordDir(dir);
  return dir;
}

/**
 * A port for a server a test starts (an api, a router), free when asked. Taken below the
 * kernel's ephemeral range (32768–60999 here), never from it: a port the kernel hands out for
 * `listen(0)` is free only until the next outgoing connection or Docker-published port takes
 * it, and an api restarted on its port would race them (seen: EADDRINUSE at start). Each
 * vitest worker walks its own block of 500 from a random offset, so parallel files don't meet.
 */
const PORT_BASE = 20_000;
const PORT_BLOCK = 500;
let nextPort = -1;

async function canListen(port: number): Promise<boolean> {
  const server = net.createServer();
  try {
    server.listen(port, '0.0.0.0');
    await once(server, 'listening');
  } catch {
    return false;
  }
  await new Promise((resolve) => server.close(resolve));
  return true;
}

export async function freePort(): Promise<number> {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 0) % 24;
  const block = PORT_BASE + worker * PORT_BLOCK;
  if (nextPort < 0) nextPort = Math.floor(Math.random() * PORT_BLOCK);
  for (let tries = 0; tries < PORT_BLOCK; tries++) {
    const port = block + (nextPort++ % PORT_BLOCK);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${block}–${block + PORT_BLOCK - 1}`);
}

/** A unique app name for a test (tests share one Docker engine). */
export function appName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`.slice(0, 30);
}

/** The environment without anything that would point git or the CLI somewhere else. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(PAAS_|GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE|CONFIG))/.test(key)) delete env[key];
  }
  return env;
}
