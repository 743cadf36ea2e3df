import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffDelay, nextRestartCount } from './backoff.js';

describe('crash back-off', () => {
  it('restarts at once, then waits 1, 2, 4 … seconds, capped', () => {
    expect([1, 2, 3, 4, 5].map(backoffDelay)).toEqual([0, 1000, 2000, 4000, 8000]);
    expect(backoffDelay(30)).toBe(BACKOFF_CAP_MS);
  });
  it('starts over after a process stayed up a while', () => {
    expect(nextRestartCount(6, 500)).toBe(7);
    expect(nextRestartCount(6, 120_000)).toBe(1);
  });
});
