/**
 * vitest globalSetup: gives the run a record directory (PAAS_TESTKIT_RUN, inherited by the
 * test workers) and, when the run ends however it ends, sweeps what the test kit recorded and
 * nothing else (see sweep.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeSweep, RUN_ENV, sweep } from './sweep.js';

export default function setup(): () => Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paas-run-'));
  process.env[RUN_ENV] = dir;
  return async () => {
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => path.join(dir, f));
    const result = await sweep(files);
    const line = describeSweep('end of run', result);
    if (line) process.stderr.write(line);
    if (!result.errors.length) fs.rmSync(dir, { recursive: true, force: true });
    delete process.env[RUN_ENV];
  };
}
