/**
 * The agent's words for what happens to processes, as Heroku puts them in an app's log
 * (`paas[web.1]: State changed from starting to up`). Pure. The reconciler says each one when
 * it acts or sees the change, once: adopting a running container after a restart says nothing.
 */
import type { ProcessState } from '@paas/shared';

export const EVENTS = {
  starting: (command: string | null) => `Starting process with command \`${command ?? '(the image’s CMD)'}\``,
  changed: (from: ProcessState, to: ProcessState) => `State changed from ${from} to ${to}`,
  /** A one-off's end, as Heroku says it. */
  complete: (from: ProcessState) => `State changed from ${from} to complete`,
  runTimeout: (seconds: number) => `Error R22 (Run timeout) -> One-off process ran longer than ${seconds} seconds`,
  exited: (code: number | null) => `Process exited with status ${code ?? 'unknown'}`,
  bootTimeout: (seconds: number) =>
    `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${seconds} seconds of launch`,
  /** The kernel killed it at its memory limit (Heroku's R14 and R15 lines, then its SIGKILL). */
  memoryRunning: (limitBytes: number) => `Process running mem=${Math.round(limitBytes / 1048576)}M(100.0%)`,
  memoryQuota: 'Error R14 (Memory quota exceeded)',
  memoryVastlyExceeded: 'Error R15 (Memory quota vastly exceeded)',
  sigkill: 'Stopping process with SIGKILL',
  failedToStart: (reason: string) => `Process failed to start: ${reason.split('\n')[0]?.slice(0, 300)}`,
} as const;
