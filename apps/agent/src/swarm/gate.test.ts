import { BACKOFF_CAP_MS } from '@paas/shared';
import { describe, expect, it } from 'vitest';
import { SlotBackoff } from './gate.js';

describe('the swarm tasks’ crash back-off', () => {
  it('opens at once, then 1 s, 2 s, 4 s after each crash, capped', () => {
    const b = new SlotBackoff();
    expect(b.opensAt('a:web.1', 1000)).toBe(1000);
    const waits: number[] = [];
    let now = 10_000;
    for (let i = 0; i < 12; i++) {
      b.crashed('a:web.1', 1, 100, now);
      waits.push(b.opensAt('a:web.1', now) - now);
      now += 1_000_000;
    }
    expect(waits.slice(0, 5)).toEqual([0, 1000, 2000, 4000, 8000]);
    expect(waits.at(-1)).toBe(BACKOFF_CAP_MS);
    expect(b.history('a:web.1')).toMatchObject({ restarts: 12, exitCode: 1 });
  });

  it('counts from the crash, not from when the next container showed up', () => {
    const b = new SlotBackoff();
    b.crashed('s', 1, 100, 0);
    b.crashed('s', 1, 100, 5000); // second crash: 1 s
    expect(b.opensAt('s', 5400)).toBe(6000);
    b.crashed('s', 1, 100, 7000); // third: 2 s, but the container came late
    expect(b.opensAt('s', 9500)).toBe(9500);
  });

  it('waits once per crash: a container after a stop starts at once', () => {
    const b = new SlotBackoff();
    b.crashed('s', 1, 100, 0);
    b.crashed('s', 1, 100, 10);
    expect(b.opensAt('s', 20)).toBe(1010);
    expect(b.opensAt('s', 30)).toBe(30);
  });

  it('starts over after a process stayed up a while, and keeps slots apart', () => {
    const b = new SlotBackoff();
    for (let i = 0; i < 4; i++) b.crashed('s', 1, 100, i);
    b.crashed('s', 1, 120_000, 100);
    expect(b.opensAt('s', 100)).toBe(100);
    expect(b.history('s')?.restarts).toBe(1);
    expect(b.opensAt('other', 5)).toBe(5);
  });

  it('forgets a history once it cannot matter, never one still to wait out', () => {
    const b = new SlotBackoff();
    b.crashed('done', 1, 100, 0);
    b.opensAt('done', 0);
    b.crashed('waiting', 1, 100, 0);
    b.prune(10 * 60_000);
    expect(b.history('done')).toBeUndefined();
    expect(b.history('waiting')).toBeDefined();
  });
});
