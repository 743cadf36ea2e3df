import { describe, expect, it } from 'vitest';
import { CHAIN, firewallRules, listeningSockets, remoteApiAddress, routedPorts, staleRouterPorts } from './firewall.js';

describe('firewall of app networks', () => {
  it('lets app bridges and Swarm tasks reach the host only for replies and the router ports; rejects the rest', () => {
    const rules = firewallRules({ routerPorts: [8080, 0], remoteApi: null }, 4);
    expect(rules).toEqual([
      { chain: CHAIN, spec: ['-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'], last: true },
      { chain: CHAIN, spec: ['-p', 'tcp', '--dport', '8080', '-j', 'RETURN'] },
      { chain: CHAIN, spec: ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'] },
      { chain: 'INPUT', spec: ['-i', 'paas+', '-j', CHAIN] },
      { chain: 'INPUT', spec: ['-i', 'docker_gwbridge', '-j', CHAIN] },
    ]);
  });

  it('rejects the api on another host, in its own address family only', () => {
    const v4 = firewallRules({ routerPorts: [], remoteApi: '10.0.0.5' }, 4);
    expect(v4.filter((r) => r.chain === 'DOCKER-USER')).toEqual(
      ['paas+', 'docker_gwbridge'].map((bridge) => ({
        chain: 'DOCKER-USER',
        spec: ['-i', bridge, '-d', '10.0.0.5', '-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'],
      })),
    );
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

describe('stale router-port rules', () => {
  const PROC = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:B141 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8307962 1
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8248990 1
   2: 0100007F:1F91 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 8248991 1
`;
  it('reads the listening sockets of /proc/net/tcp, and which of their ports a router holds', () => {
    expect(listeningSockets(PROC)).toEqual([
      { port: 0xb141, inode: '8307962' },
      { port: 8080, inode: '8248990' },
    ]);
    expect([...routedPorts(listeningSockets(PROC), new Set(['8248990', '8248991']))]).toEqual([8080]);
  });

  it('finds the router-port rules no router listens on, keeping the agent’s own', () => {
    const rules = [
      `-N ${CHAIN}`,
      `-A ${CHAIN} -p tcp -m tcp --dport 8080 -j RETURN`,
      `-A ${CHAIN} -p tcp -m tcp --dport 8081 -j RETURN`,
      `-A ${CHAIN} -p tcp -m tcp --dport 45377 -j RETURN`,
      `-A ${CHAIN} -p tcp -m tcp --dport 9000 -j RETURN`,
      `-A ${CHAIN} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
      `-A ${CHAIN} -j REJECT --reject-with icmp-port-unreachable`,
    ].join('\n');
    // 45377 (0xb141) is listened on, but not by a router: another program took the port again.
    expect(staleRouterPorts(rules, routedPorts(listeningSockets(PROC), new Set(['8248990'])), [9000])).toEqual([
      8081, 45377,
    ]);
  });
});
