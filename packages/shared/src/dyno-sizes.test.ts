import { describe, expect, it } from 'vitest';
import { DEFAULT_DYNO_SIZE, dynoSize, dynoSizeNames } from './dyno-sizes.js';

describe('dyno sizes', () => {
  it('finds a size by any case and by the short aliases', () => {
    expect(dynoSize('standard-2x')?.memoryMb).toBe(1024);
    expect(dynoSize('Standard-2X')?.name).toBe('Standard-2X');
    expect(dynoSize('2X')?.name).toBe('Standard-2X');
    expect(dynoSize(DEFAULT_DYNO_SIZE)?.name).toBe('Basic');
  });

  it('knows nothing of other names', () => {
    expect(dynoSize('huge')).toBeUndefined();
    expect(dynoSizeNames()).toContain('performance-m');
  });
});
