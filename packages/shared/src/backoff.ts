/**
 * Crash restart back-off: the first restart is immediate, then the gap doubles from 1 s up
 * to a cap; a process that stayed up for a while before crashing starts over at 0.
 */
export const BACKOFF_CAP_MS = 5 * 60_000;
export const BACKOFF_RESET_AFTER_MS = 60_000;

/** Delay before restart number `n` (1-based) of a crashing process. */
export function backoffDelay(n: number): number {
  if (n <= 1) return 0;
  return Math.min(BACKOFF_CAP_MS, 1000 * 2 ** (n - 2));
}

/** The restart count after a crash, given how long the process had been running. */
export function nextRestartCount(previous: number, ranForMs: number): number {
  return ranForMs >= BACKOFF_RESET_AFTER_MS ? 1 : previous + 1;
}
