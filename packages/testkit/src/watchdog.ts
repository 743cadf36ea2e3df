/**
 * The run's watchdog, started by global-setup.ts in its own session with a pipe from vitest on
 * its stdin. When the pipe closes, vitest has exited: normally its teardown has swept already
 * and removed the run directory, and this exits. If vitest died first (a crashed worker can take
 * it down, or a signal), this kills what is left of the run (its workers and everything that
 * carries the run's PAAS_TESTKIT_RUN) and sweeps the run's records. Usage: watchdog.ts RUN_DIR
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeSweep, killRunProcesses, sweep } from './sweep.js';

const dir = process.argv[2] ?? '';

async function sweepLeftovers(): Promise<void> {
  if (!dir || !fs.existsSync(dir)) return;
  const killed = await killRunProcesses(dir, () => false);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => path.join(dir, f));
  const result = await sweep(files);
  result.killed.unshift(...killed);
  const line = describeSweep('after vitest exited without its teardown', result);
  if (line) process.stderr.write(line);
  if (!result.errors.length) fs.rmSync(dir, { recursive: true, force: true });
}

process.stdin.resume();
process.stdin.on('close', () => {
  sweepLeftovers().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`[testkit sweep] watchdog failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
});
