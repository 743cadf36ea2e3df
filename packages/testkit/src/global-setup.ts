/**
 * vitest globalSetup: gives the run a record directory (PAAS_TESTKIT_RUN, inherited by the
 * test workers and by what they start) and, when the run ends however it ends, sweeps what
 * this run made and nothing else (see sweep.ts). A watchdog process does the same should
 * vitest die before its teardown.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSweep, killRunProcesses, RUN_ENV, sweep } from './sweep.js';

const TSX = path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs');

export default function setup(): () => Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paas-run-'));
  const { [RUN_ENV]: _, ...env } = process.env;
  // Its own session (no Ctrl-C, no hang-up from the terminal); EOF on stdin when vitest exits.
  const watchdog = spawn(
    process.execPath,
    ['--import', TSX, fileURLToPath(new URL('watchdog.ts', import.meta.url)), dir],
    {
      detached: true,
      env,
      stdio: ['pipe', 'ignore', 'inherit'],
    },
  );
  watchdog.unref();
  (watchdog.stdin as Socket).unref();
  process.env[RUN_ENV] = dir;

  return async () => {
    // Every test file is done. vitest's workers (its own children) close after this.
    const killed = await killRunProcesses(dir, (_pid, ppid) => ppid === process.pid);
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => path.join(dir, f));
    const result = await sweep(files);
    result.killed.unshift(...killed);
    const line = describeSweep('end of run', result);
    if (line) process.stderr.write(line);
    if (!result.errors.length) fs.rmSync(dir, { recursive: true, force: true });
    delete process.env[RUN_ENV];
    watchdog.stdin?.end();
  };
}
