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

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
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
