/**
 * What the api takes of an agent's status report. Pure. An agent speaks only for itself: a
 * process is its own when it is placed on it, or was sent to it and is still winding down
 * (stopping after a scale-down); an endpoint only on the address the agent connected from
 * (a loopback connection: loopback endpoints, the host's own published ports). Anything else
 * would let one agent's credential steer another app's traffic.
 */
import net from 'node:net';
import type { ProcessStatus } from '@paas/shared';

export interface StatusGuard {
  /** Keys placed on this agent now. */
  placed: Set<string>;
  /** Keys sent to this agent in a desired set (and still reported by it). */
  sent: Set<string>;
  /** The connection's remote address (undefined: not known, endpoints refused). */
  remote: string | undefined;
}

/** `::ffff:10.0.0.5` → `10.0.0.5`; other addresses as they are. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function isLoopback(address: string): boolean {
  const a = plainAddress(address);
  return a === '::1' || (net.isIPv4(a) && a.startsWith('127.'));
}

/** Whether an endpoint on `host` is on the address of an agent connected from `remote`. */
export function endpointIsOwn(host: string, remote: string | undefined): boolean {
  if (!remote) return false;
  if (isLoopback(remote)) return isLoopback(host);
  return plainAddress(host) === plainAddress(remote);
}

export function acceptStatuses(
  reported: ProcessStatus[],
  guard: StatusGuard,
): { statuses: ProcessStatus[]; refused: string[] } {
  const statuses: ProcessStatus[] = [];
  const refused: string[] = [];
  for (const s of reported) {
    if (!guard.placed.has(s.key) && !guard.sent.has(s.key)) {
      refused.push(`${s.app || s.appId}/${s.name}: not placed on this agent`);
      continue;
    }
    if (s.endpoint && !endpointIsOwn(s.endpoint.host, guard.remote)) {
      refused.push(`${s.app || s.appId}/${s.name}: endpoint ${s.endpoint.host} is not the agent's address`);
      statuses.push({ ...s, endpoint: null });
      continue;
    }
    statuses.push(s);
  }
  return { statuses, refused };
}
