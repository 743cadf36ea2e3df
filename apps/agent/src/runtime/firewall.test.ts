import { describe, expect, it } from 'vitest';
import { CHAIN, firewallRules, remoteApiAddress } from './firewall.js';

describe('firewall of app networks', () => {
  it('lets app bridges reach the host only for replies and the router ports; rejects the rest', () => {
    const rules = firewallRules({ routerPorts: [8080, 0], remoteApi: null }, 4);
    expect(rules).toEqual([
      { chain: CHAIN, spec: ['-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'], last: true },
      { chain: CHAIN, spec: ['-p', 'tcp', '--dport', '8080', '-j', 'RETURN'] },
      { chain: CHAIN, spec: ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'] },
      { chain: 'INPUT', spec: ['-i', 'paas+', '-j', CHAIN] },
    ]);
  });

  it('rejects the api on another host, in its own address family only', () => {
    const v4 = firewallRules({ routerPorts: [], remoteApi: '10.0.0.5' }, 4);
    expect(v4.at(-1)).toEqual({
      chain: 'DOCKER-USER',
      spec: ['-i', 'paas+', '-d', '10.0.0.5', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'],
    });
    expect(firewallRules({ routerPorts: [], remoteApi: '10.0.0.5' }, 6).some((r) => r.chain === 'DOCKER-USER')).toBe(
      false,
    );
  });

  it('knows an api on this host (loopback or its own address) is not remote', async () => {
    expect(await remoteApiAddress('http://127.0.0.1:5000')).toBeNull();
    expect(await remoteApiAddress('http://[::1]:5000')).toBeNull();
    expect(await remoteApiAddress('http://192.0.2.77:5000')).toBe('192.0.2.77');
  });
});
