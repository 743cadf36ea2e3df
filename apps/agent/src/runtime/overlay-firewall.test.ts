import { describe, expect, it } from 'vitest';
import { missingOverlayRules, OVERLAY_CHAIN } from './overlay-firewall.js';

describe('overlay subnets rejected from Swarm tasks', () => {
  it('adds only the subnets not rejected yet (IPv4 CIDRs), each once', () => {
    const lines = [
      `-N ${OVERLAY_CHAIN}`,
      `-A ${OVERLAY_CHAIN} -d 10.0.0.0/24 -j REJECT --reject-with icmp-port-unreachable`,
    ].join('\n');
    expect(missingOverlayRules(lines, ['10.0.1.0/24', '10.0.0.0/24', '10.0.1.0/24', 'fd00::/64', ''])).toEqual([
      '10.0.1.0/24',
    ]);
    expect(missingOverlayRules(lines, ['10.0.0.0/24'])).toEqual([]);
  });
});
