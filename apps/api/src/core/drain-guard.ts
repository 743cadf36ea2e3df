/**
 * Where a log drain may send: public addresses only. Loopback, private (RFC 1918, CGNAT, ULA),
 * link-local (169.254/16 with the clouds' metadata service, fe80::/10), unspecified, multicast,
 * reserved and the platform's own addresses are refused, or a drain would be a way into the
 * platform's network. Checked when a drain is added (a literal address, or a name that resolves
 * only to refused ones) and on every connection, on the address actually connected to
 * (`lookup`: resolve, check, connect to what was checked), so a name that changes what it
 * resolves to (DNS rebinding) gets nowhere. An operator can allow ranges
 * (PAAS_DRAIN_ALLOW, CIDRs: e.g. a log collector on the private network; the tests' loopback).
 */
import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';

const RANGES: [kind: string, cidrs: string[]][] = [
  ['unspecified', ['0.0.0.0/8', '::/128']],
  ['loopback', ['127.0.0.0/8', '::1/128']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']],
  ['link-local', ['169.254.0.0/16', 'fe80::/10']],
  ['multicast', ['224.0.0.0/4', 'ff00::/8']],
  ['reserved', ['240.0.0.0/4', '192.0.0.0/24', '198.18.0.0/15', '100::/64', '2001:db8::/32']],
];

function blockList(cidrs: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    list.addSubnet(address, Number(prefix), net.isIPv6(address) ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** How long adding a drain waits for its host name to resolve. */
const ADD_LOOKUP_MS = 3000;

const KINDS = RANGES.map(([kind, cidrs]) => [kind, blockList(cidrs)] as const);

/** `::ffff:10.0.0.1` (and NAT64's `64:ff9b::a00:1`) is the IPv4 address inside. */
function embeddedIpv4(address: string): string | undefined {
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const n = (Number.parseInt(hex[1] ?? '0', 16) << 16) | Number.parseInt(hex[2] ?? '0', 16);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A valid CIDR (`10.0.0.0/8`, `::1/128`) or a plain address. */
export function isCidr(text: string): boolean {
  const [address = '', prefix] = text.split('/');
  const family = net.isIP(address);
  if (!family) return false;
  if (prefix === undefined) return true;
  const n = Number(prefix);
  return /^\d+$/.test(prefix) && n <= (family === 4 ? 32 : 128);
}

export class DrainGuard {
  private readonly allowed: net.BlockList;

  /** `allow`: CIDRs (or addresses) drains may reach although they are internal. */
  constructor(allow: string[] = []) {
    this.allowed = blockList(allow.map((a) => (a.includes('/') ? a : `${a}/${net.isIPv6(a) ? 128 : 32}`)));
  }

  /** Why a drain may not send to this address ('loopback', 'private'…), or undefined if it may. */
  refusal(address: string): string | undefined {
    const v4 = embeddedIpv4(address);
    const ip = v4 ?? address;
    const family = net.isIPv6(ip) ? 'ipv6' : 'ipv4';
    if (!net.isIP(ip)) return 'not an address';
    if (this.allowed.check(ip, family)) return undefined;
    for (const [kind, list] of KINDS) if (list.check(ip, family)) return kind;
    if (ownAddresses().has(ip)) return "the platform's own";
    return undefined;
  }

  /** Resolves a host name to the addresses a drain may use; throws DrainRefused if none. */
  async resolve(host: string): Promise<dns.LookupAddress[]> {
    if (net.isIP(host)) {
      const why = this.refusal(host);
      if (why) throw new DrainRefused(host, why);
      return [{ address: host, family: net.isIPv6(host) ? 6 : 4 }];
    }
    const addresses = await dns.promises.lookup(host, { all: true });
    const ok = addresses.filter((a) => !this.refusal(a.address));
    if (!ok.length) throw new DrainRefused(host, this.refusal(addresses[0]?.address ?? '') ?? 'internal');
    return ok;
  }

  /**
   * Why a drain may not send to this URL's host ('127.0.0.1 is a loopback address'), if it is
   * an address drains may not reach or a name that resolves only to such; undefined otherwise
   * (a name that does not resolve within ADD_LOOKUP_MS is checked again on each connection).
   */
  async refusalOf(url: string): Promise<string | undefined> {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ADD_LOOKUP_MS);
    });
    try {
      await Promise.race([this.resolve(host), timeout]);
      return undefined;
    } catch (err) {
      return err instanceof DrainRefused ? err.message : undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A `lookup` for http.request / net.connect: only checked addresses are connected to. */
  lookup(): net.LookupFunction {
    return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
      this.resolve(hostname).then(
        (ok) => {
          const wanted =
            options.family === 4 || options.family === 6 ? ok.filter((a) => a.family === options.family) : ok;
          const list = wanted.length ? wanted : ok;
          if (options.all) callback(null, list);
          else callback(null, list[0]?.address, list[0]?.family);
        },
        (err) => callback(err),
      );
    }) as unknown as net.LookupFunction;
  }
}

/** A drain's target is (or resolves only to) an address drains may not reach. */
export class DrainRefused extends Error {
  readonly code = 'EDRAINREFUSED';
  constructor(
    readonly host: string,
    readonly kind: string,
  ) {
    const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
    super(
      `${host} is ${kind === "the platform's own" ? "one of the platform's own addresses" : `${article} ${kind} address`}`,
    );
    this.name = 'DrainRefused';
  }
}

function ownAddresses(): Set<string> {
  return new Set(
    Object.values(os.networkInterfaces())
      .flat()
      .flatMap((i) => (i ? [i.address.replace(/%.*$/, '')] : [])),
  );
}
