/**
 * The shape of an app's private network, pure. Each app's processes, one-offs and add-ons
 * share one bridge network (`paas-app-<app id>`); Docker's isolation rules drop traffic
 * between bridges, so an app reaches no other app's containers.
 *
 * - Its Linux bridge is named `paas` + 11 hex digits of the network name's hash, so one
 *   firewall rule (`-i paas+`, runtime/firewall.ts) covers every app network on the host.
 * - Its subnet is a /24 of APP_SUBNET_RANGE (10.201.0.0/16), tried from one derived from the
 *   name on: Docker's default pools hold only about 30 networks, one per app would run out.
 *   256 apps per host; a /24 holds 253 containers of one app.
 */
import { createHash } from 'node:crypto';

export const APP_SUBNET_RANGE = '10.201.0.0/16';
export const BRIDGE_PREFIX = 'paas';

const hash = (name: string) => createHash('sha256').update(name).digest();

/** The Linux bridge's name (at most 15 characters, Linux's limit). */
export function bridgeName(network: string): string {
  return `${BRIDGE_PREFIX}${hash(network).toString('hex').slice(0, 11)}`;
}

/** The /24 subnets to try for a network, first the one its name picks, then the next ones. */
export function subnetCandidates(network: string): string[] {
  const [a, b] = APP_SUBNET_RANGE.split('.');
  const first = hash(network).readUInt8(0);
  return Array.from({ length: 256 }, (_, i) => `${a}.${b}.${(first + i) % 256}.0/24`);
}
