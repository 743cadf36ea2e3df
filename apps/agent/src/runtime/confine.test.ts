import { describe, expect, it } from 'vitest';
import { APP_USER, confinement, userFor } from './confine.js';

describe('confinement', () => {
  it("limits a process to its size, CPUs capped at the host's cores", () => {
    const c = confinement({ memoryMb: 512, cpus: 0.5, pids: 256 }, 2, '');
    expect(c.HostConfig).toMatchObject({
      Memory: 512 * 1048576,
      MemorySwap: 512 * 1048576,
      NanoCpus: 500_000_000,
      PidsLimit: 256,
      SecurityOpt: ['no-new-privileges'],
      CapDrop: ['ALL'],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    });
    expect(c.HostConfig.CapAdd).not.toContain('NET_RAW');
    expect(confinement({ memoryMb: 14336, cpus: 8, pids: 32768 }, 2, '').HostConfig.NanoCpus).toBe(2e9);
  });

  it('runs as uid 1000 unless the image names its own user (root included)', () => {
    expect(userFor('')).toBe(APP_USER);
    expect(userFor(undefined)).toBe(APP_USER);
    expect(userFor('nobody')).toBeUndefined();
    expect(userFor('root')).toBeUndefined();
    expect(confinement({ memoryMb: 1, cpus: 1, pids: 1 }, 2, 'node').User).toBeUndefined();
    expect(confinement({ memoryMb: 1, cpus: 1, pids: 1 }, 2, '').User).toBe('1000:1000');
  });
});
