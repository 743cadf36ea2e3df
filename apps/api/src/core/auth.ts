/** Who a request is from: the owner of the API token it presents. */
import { verifyToken } from '../store/tokens.js';
import type { CoreDeps } from './context.js';
import type { Actor } from './releases.js';

export function actorOf(core: Pick<CoreDeps, 'db'>, token: string | undefined): Actor | undefined {
  if (!token) return undefined;
  const owner = verifyToken(core.db, token);
  return owner ? { email: owner.email } : undefined;
}
