/**
 * vitest setup file: after each test file (its own afterAll hooks included, passed or failed or
 * timed out), sweeps what the test kit recorded in this worker, so that a test that timed out
 * leaves no agent re-creating containers while the rest of the run goes on (see sweep.ts).
 */
import fs from 'node:fs';
import { afterAll, expect } from 'vitest';
import { describeSweep, recordFile, sweep } from './sweep.js';

afterAll(async () => {
  const file = recordFile();
  if (!file || !fs.existsSync(file)) return;
  // Swept under another name: a timed-out test still running in the background records into a
  // new file, which the run's end sweeps.
  const taken = file.replace(/\.jsonl$/, `.${Date.now()}.jsonl`);
  fs.renameSync(file, taken);
  const result = await sweep([taken]);
  const line = describeSweep(`after ${expect.getState().testPath ?? 'a test file'}`, result);
  if (line) process.stderr.write(line);
  if (!result.errors.length) fs.rmSync(taken, { force: true });
});
