import { describe, expect, it } from 'vitest';
import { bridgeName, subnetCandidates } from './app-network.js';

describe('app networks', () => {
  it('names the bridge paas + 11 hex digits (Linux allows 15), stable per network', () => {
    const name = bridgeName('paas-app-6f1c0a0e-1111-4222-8333-944445555666');
    expect(name).toMatch(/^paas[0-9a-f]{11}$/);
    expect(bridgeName('paas-app-6f1c0a0e-1111-4222-8333-944445555666')).toBe(name);
    expect(bridgeName('paas-app-other')).not.toBe(name);
  });

  it('tries every /24 of 10.201.0.0/16 once, starting where the name points', () => {
    const subnets = subnetCandidates('paas-app-x');
    expect(new Set(subnets).size).toBe(256);
    for (const s of subnets) expect(s).toMatch(/^10\.201\.\d{1,3}\.0\/24$/);
    expect(subnetCandidates('paas-app-x')[0]).toBe(subnets[0]);
  });
});
