/**
 * The host's firewall for app networks: an app's containers reach the internet and their own
 * network, but not the host they run on (the api, sshd, anything listening there) except the
 * router's ports, nor the api's host when it is another one.
 *
 * Docker already drops traffic between two bridges (its DOCKER-ISOLATION chains), and web
 * ports are published on 127.0.0.1 only, which a container cannot reach. What is left is the
 * host itself: a container reaches every address of the host (its bridge's gateway, eth0…)
 * through INPUT, not FORWARD. So, for packets from any app bridge (`paas+`, see
 * app-network.ts) to the host:
 *
 *   INPUT  -i paas+ -j PAAS-APPS
 *   PAAS-APPS: ESTABLISHED,RELATED → RETURN (replies: the router's and the probes' connections)
 *              tcp dport <router port> → RETURN (one per port an agent here routes on)
 *              anything else → REJECT
 *   DOCKER-USER -i paas+ -d <api host> → REJECT   (the api on another host)
 *
 * The same for `docker_gwbridge` (SWARM_GATEWAY_BRIDGE): under the swarm runtime an app's
 * containers are on its overlay network, and reach everything outside it (the internet, the
 * host) through that bridge of their node, which every Swarm task on the node shares. Docker
 * makes it with inter-container traffic off, so tasks of two apps do not reach each other on
 * it; the host they would reach, and these rules keep them from it. (A paas host runs no
 * other Swarm tasks than the platform's: all of them are kept from the host so.) Other apps'
 * overlay addresses: runtime/overlay-firewall.ts.
 *
 * Needs CAP_NET_ADMIN; without it the agent says so once and runs on (the apps are still
 * apart from each other, not from the host). Idempotent: each rule is checked (`-C`) before it
 * is added, so agents sharing a host and restarts add nothing twice. IPv4 and IPv6. Checked
 * again every minute (rules are the kernel's: anyone may have flushed them); a router port's
 * rule whose port no HAProxy listens on any more (its agent and router gone) is removed then.
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import { BRIDGE_PREFIX } from './app-network.js';

const run = promisify(execFile);

export const CHAIN = 'PAAS-APPS';

/** The bridge a Swarm node's tasks reach outside their overlay networks through. */
export const SWARM_GATEWAY_BRIDGE = 'docker_gwbridge';

export interface FirewallOptions {
  /** The router's ports on this host (HTTP, HTTPS; 0s are left out). */
  routerPorts: number[];
  /** The api's address when it is on another host (null: on this one, or unknown). */
  remoteApi: string | null;
}

/** One rule: where it goes and its match, for `-C`/`-I`. */
export interface Rule {
  chain: string;
  spec: string[];
  /** Appended at the end of the chain (the chain's final verdict) instead of inserted first. */
  last?: boolean;
}

/** The rules for one address family (4 or 6), pure. */
export function firewallRules(options: FirewallOptions, family: 4 | 6): Rule[] {
  const bridges = [`${BRIDGE_PREFIX}+`, SWARM_GATEWAY_BRIDGE];
  const reject = ['-j', 'REJECT', '--reject-with', family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'];
  const rules: Rule[] = [{ chain: CHAIN, spec: reject, last: true }];
  for (const port of options.routerPorts.filter((p) => p > 0)) {
    rules.push({ chain: CHAIN, spec: ['-p', 'tcp', '--dport', String(port), '-j', 'RETURN'] });
  }
  rules.push({ chain: CHAIN, spec: ['-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'RETURN'] });
  for (const bridge of bridges) rules.push({ chain: 'INPUT', spec: ['-i', bridge, '-j', CHAIN] });
  if (options.remoteApi && isIP(options.remoteApi) === family) {
    for (const bridge of bridges) {
      rules.push({ chain: 'DOCKER-USER', spec: ['-i', bridge, '-d', options.remoteApi, ...reject] });
    }
  }
  return rules;
}

/** The api's address if it is not this host (loopback or one of its own addresses). */
export async function remoteApiAddress(apiUrl: string): Promise<string | null> {
  const host = new URL(apiUrl).hostname.replace(/^\[|\]$/g, '');
  const address = isIP(host) ? host : (await lookup(host).catch(() => null))?.address;
  if (!address || /^127\./.test(address) || address === '::1') return null;
  const own = Object.values(networkInterfaces())
    .flat()
    .some((i) => i?.address === address);
  return own ? null : address;
}

/** The listening TCP sockets of /proc/net/tcp or tcp6 (state 0A): port and inode, pure. */
export function listeningSockets(procNetTcp: string): { port: number; inode: string }[] {
  const sockets: { port: number; inode: string }[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [, local, , state] = fields;
    const inode = fields[9];
    if (state !== '0A' || !local || !inode) continue;
    sockets.push({ port: Number.parseInt(local.split(':').at(-1) ?? '', 16), inode });
  }
  return sockets;
}

/** The ports among `sockets` that one of `routerInodes` (sockets HAProxy holds) listens on, pure. */
export function routedPorts(sockets: { port: number; inode: string }[], routerInodes: Set<string>): Set<number> {
  return new Set(sockets.filter((s) => routerInodes.has(s.inode)).map((s) => s.port));
}

/** Router-port rules (`iptables -S` lines of the chain) whose port no router listens on, pure. */
export function staleRouterPorts(ruleLines: string, routed: Set<number>, keep: number[]): number[] {
  const stale: number[] = [];
  for (const m of ruleLines.matchAll(new RegExp(`^-A ${CHAIN} -p tcp -m tcp --dport (\\d+) -j RETURN$`, 'gm'))) {
    const port = Number(m[1]);
    if (!routed.has(port) && !keep.includes(port)) stale.push(port);
  }
  return stale;
}

/**
 * The inodes of the sockets HAProxy processes on this host hold (`/proc/<pid>/comm` haproxy,
 * their `/proc/<pid>/fd` links `socket:[inode]`). A process whose descriptors cannot be read
 * (another user's, without CAP_SYS_PTRACE) counts for none: its port is not a router's.
 */
async function routerSocketInodes(): Promise<Set<string>> {
  const inodes = new Set<string>();
  const pids = (await readdir('/proc').catch(() => [])).filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() !== 'haproxy') continue;
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1]) inodes.add(m[1]);
    }
  }
  return inodes;
}

async function ipt(binary: string, args: string[]): Promise<boolean> {
  try {
    await run(binary, ['-w', '5', ...args]);
    return true;
  } catch {
    return false;
  }
}

/** Installs the rules of both families; rejects with the reason when it cannot. */
export async function installFirewall(options: FirewallOptions): Promise<void> {
  for (const [binary, family] of [
    ['iptables', 4],
    ['ip6tables', 6],
  ] as const) {
    await ipt(binary, ['-N', CHAIN]); // fails when it exists: fine
    for (const rule of firewallRules(options, family)) {
      if (await ipt(binary, ['-C', rule.chain, ...rule.spec])) continue;
      const added = rule.last
        ? await ipt(binary, ['-A', rule.chain, ...rule.spec])
        : await ipt(binary, ['-I', rule.chain, '1', ...rule.spec]);
      if (!added && family === 4) {
        throw new Error(`${binary} -A/-I ${rule.chain} ${rule.spec.join(' ')} failed (is the agent root?)`);
      }
    }
    await pruneRouterPorts(binary, options.routerPorts);
  }
}

/**
 * Removes the rules of router ports no HAProxy listens on any more (its agent and router gone),
 * but never this agent's own (its HAProxy may be starting). Another program listening on a gone
 * router's port (the kernel hands ports out again) does not keep the rule: it would be open
 * to every app.
 */
async function pruneRouterPorts(binary: string, keep: number[]): Promise<void> {
  const rules = await run(binary, ['-w', '5', '-S', CHAIN]).then(
    (r) => r.stdout,
    () => '',
  );
  if (!/--dport/.test(rules)) return;
  // A v6 socket bound to [::] takes v4 too, and a v4 one serves a v4-mapped client: either counts.
  const tables = await Promise.all(
    ['/proc/net/tcp', '/proc/net/tcp6'].map((f) => readFile(f, 'utf8').catch(() => null)),
  );
  if (tables.every((t) => t === null)) return; // no view of the listeners: remove nothing
  const sockets = tables.flatMap((t) => (t === null ? [] : listeningSockets(t)));
  const routed = routedPorts(sockets, await routerSocketInodes());
  for (const port of staleRouterPorts(rules, routed, keep)) {
    await ipt(binary, ['-D', CHAIN, '-p', 'tcp', '--dport', String(port), '-j', 'RETURN']);
  }
}

/**
 * Installs the rules now and again every minute. `ready` settles after the first time
 * (rejecting with the reason it could not); `onError` hears about the later ones.
 */
export function keepFirewall(
  options: { routerPorts: number[]; apiUrl: string },
  onError: (err: unknown) => void,
): { ready: Promise<void>; stop(): void } {
  const once = async () =>
    installFirewall({ routerPorts: options.routerPorts, remoteApi: await remoteApiAddress(options.apiUrl) });
  const timer = setInterval(() => void once().catch(onError), 60_000);
  timer.unref();
  return { ready: once(), stop: () => clearInterval(timer) };
}
