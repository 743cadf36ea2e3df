/**
 * Under the swarm runtime an app's tasks reach anything off their overlay network through
 * their node's docker_gwbridge, and another app's overlay address is no route on the host: a
 * packet to it would leave by the host's default route (to whatever answers that address
 * there: measured on this machine, a gateway that accepts every TCP connection). So each
 * overlay subnet this engine knows is rejected from docker_gwbridge:
 *
 *   DOCKER-USER -i docker_gwbridge -j PAAS-OVERLAYS
 *   PAAS-OVERLAYS: -d <each overlay subnet> → REJECT
 *
 * Subnets only, not Swarm's whole address pool (10.0.0.0/8 by default, where a LAN's hosts and
 * its DNS resolver often are). Rules are added, never removed: an overlay's subnet stays one
 * (Swarm gives a freed subnet to the next overlay), agents sharing a host (a manager's sees
 * every overlay, a worker's only those of its tasks) never undo each other, and the set stays
 * as small as the most overlays the swarm had at once. A task reaches its own overlay inside its
 * own network namespace, never through the host, so these rules never stand in its way.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const OVERLAY_CHAIN = 'PAAS-OVERLAYS';
const GATEWAY_BRIDGE = 'docker_gwbridge';
const REJECT = ['-j', 'REJECT', '--reject-with', 'icmp-port-unreachable'];

/** The subnets (IPv4 CIDRs) not rejected yet, from `iptables -S PAAS-OVERLAYS`, pure. */
export function missingOverlayRules(ruleLines: string, subnets: string[]): string[] {
  const have = new Set(
    [...ruleLines.matchAll(new RegExp(`^-A ${OVERLAY_CHAIN} -d (\\S+) -j REJECT`, 'gm'))].map((m) => m[1]),
  );
  return [...new Set(subnets)].filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s) && !have.has(s)).sort();
}

async function ipt(args: string[]): Promise<string | null> {
  try {
    return (await run('iptables', ['-w', '5', ...args])).stdout;
  } catch {
    return null;
  }
}

/** Adds the rules of the subnets not rejected yet (and the chain and its jump, once). */
export async function rejectOverlays(subnets: string[]): Promise<void> {
  if (subnets.length === 0) return;
  await ipt(['-N', OVERLAY_CHAIN]); // fails when it exists: fine
  const jump = ['DOCKER-USER', '-i', GATEWAY_BRIDGE, '-j', OVERLAY_CHAIN];
  if ((await ipt(['-C', ...jump])) === null && (await ipt(['-I', jump[0] ?? '', '1', ...jump.slice(1)])) === null) {
    throw new Error(`iptables -I ${jump.join(' ')} failed (is the agent root?)`);
  }
  const lines = (await ipt(['-S', OVERLAY_CHAIN])) ?? '';
  for (const subnet of missingOverlayRules(lines, subnets)) await ipt(['-A', OVERLAY_CHAIN, '-d', subnet, ...REJECT]);
}

/**
 * Looks at the engine's overlay subnets every few seconds (an app's overlay is made at its
 * deploy) and rejects the new ones; the rules themselves are checked again every minute.
 */
export function keepOverlayFirewall(
  subnets: () => Promise<string[]>,
  onError: (err: unknown) => void,
  everyMs = 3000,
): { stop(): void } {
  let known = '';
  let ticks = 0;
  const once = async () => {
    const now = (await subnets()).sort();
    const key = now.join(' ');
    if (key === known && ticks++ % 20 !== 0) return;
    await rejectOverlays(now);
    known = key;
  };
  void once().catch(onError);
  const timer = setInterval(() => void once().catch(onError), everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
