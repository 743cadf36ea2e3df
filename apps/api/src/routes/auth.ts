import { actorOf } from '../core/auth.js';
import type { Actor } from '../core/releases.js';
import type { Deps } from '../deps.js';

/** The token of an `Authorization` header: Bearer, or Basic with the token as password. */
export function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

export function authenticate(deps: Pick<Deps, 'db'>, header: string | undefined): Actor | undefined {
  return actorOf(deps, tokenOf(header));
}
