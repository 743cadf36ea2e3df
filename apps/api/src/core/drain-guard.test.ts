import { describe, expect, it } from 'vitest';
import { DrainGuard, DrainRefused, isCidr } from './drain-guard.js';

describe('DrainGuard', () => {
  const guard = new DrainGuard();

  it('refuses loopback, private, link-local, unspecified, multicast and reserved addresses', () => {
    const cases: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.9.9.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.31.255.1', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['fd12:3456::1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'reserved'],
    ];
    for (const [address, kind] of cases) expect([address, guard.refusal(address)]).toEqual([address, kind]);
  });

  it('lets public addresses through', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect([address, guard.refusal(address)]).toEqual([address, undefined]);
    }
  });

  it("refuses the platform's own addresses", async () => {
    const os = await import('node:os');
    const own = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4');
    if (own) expect(guard.refusal(own.address)).toBeDefined();
  });

  it('allows the ranges an operator allows, and only those', () => {
    const allowing = new DrainGuard(['127.0.0.0/8', '10.1.2.3']);
    expect(allowing.refusal('127.0.0.1')).toBeUndefined();
    expect(allowing.refusal('10.1.2.3')).toBeUndefined();
    expect(allowing.refusal('10.1.2.4')).toBe('private');
    expect(allowing.refusal('169.254.169.254')).toBe('link-local');
  });

  it('resolves a name and refuses it when it resolves only to refused addresses', async () => {
    await expect(guard.resolve('localhost')).rejects.toBeInstanceOf(DrainRefused);
    await expect(guard.resolve('10.0.0.1')).rejects.toThrow('10.0.0.1 is a private address');
    expect(await new DrainGuard(['127.0.0.0/8']).resolve('localhost')).toContainEqual({
      address: '127.0.0.1',
      family: 4,
    });
  });

  it('checks CIDRs', () => {
    expect(['10.0.0.0/8', '::1/128', '127.0.0.1'].every(isCidr)).toBe(true);
    expect(['10.0.0.0/33', 'localhost', '10.0.0.0/x', ''].some(isCidr)).toBe(false);
  });
});
