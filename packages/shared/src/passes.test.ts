import { describe, expect, it } from 'vitest';
import { Passes } from './passes.js';

describe('Passes', () => {
  it('runs one pass at a time and coalesces triggers during a pass into one more', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const passes = new Passes(
      () => {
        runs++;
        return runs === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      () => {},
    );
    const first = passes.trigger();
    void passes.trigger();
    void passes.trigger();
    release();
    await first;
    expect(runs).toBe(2);
  });

  it('runs again when a pass asks, and reports a failed pass without stopping', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const passes: Passes = new Passes(
      async () => {
        runs++;
        if (runs === 1) passes.again();
        if (runs === 2) throw new Error('docker said no');
      },
      (err) => errors.push(err),
    );
    await passes.trigger();
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
    await passes.trigger();
    expect(runs).toBe(3);
  });
});
