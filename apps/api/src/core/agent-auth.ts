/**
 * Agents' credentials. Each agent has its own, bound to its id: `NAME:SECRET`, issued by
 * `paas-admin agents:add NAME` and shown once; the store keeps only a SHA-256 of the secret
 * (32 random bytes: a fast hash is enough). An agent presents it as HTTP basic credentials
 * (user NAME, password SECRET) on the agent channel. Removing the credential revokes it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AGENT_ID_RE, AGENT_ID_RULE } from '@paas/shared';
import { invalid, PaasError } from '../errors.js';
import {
  deleteAgentCredential,
  findAgentCredential,
  listAgentCredentials,
  saveAgentCredential,
} from '../store/agent-credentials.js';
import type { Db } from '../store/db.js';
import { listAgents } from '../store/processes.js';

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Who an agent connection is: its id and the hash of the secret it proved it holds. */
export interface AgentIdentity {
  agentId: string;
  secretHash: string;
}

function checkName(name: string): void {
  if (!AGENT_ID_RE.test(name)) throw invalid(`Agent name ${JSON.stringify(name)} ${AGENT_ID_RULE}.`);
}

/**
 * Issues the agent's credential; returns it (`NAME:SECRET`), to be shown once. An agent
 * that has one already is refused unless `replace` (its old credential then stops working).
 */
export function addAgent(db: Db, name: string, replace = false): string {
  checkName(name);
  if (!replace && findAgentCredential(db, name)) {
    throw new PaasError(
      'conflict',
      `Agent ${name} already has a credential: remove it first, or replace it (--replace).`,
    );
  }
  const secret = randomBytes(32).toString('base64url');
  saveAgentCredential(db, name, hash(secret));
  return `${name}:${secret}`;
}

/** Revokes the agent's credential: the api refuses it from now on and closes its connection. */
export function removeAgent(db: Db, name: string): void {
  checkName(name);
  if (!deleteAgentCredential(db, name)) throw new PaasError('not_found', `No agent ${name}.`);
}

export interface AgentListing {
  name: string;
  created: string;
  lastSeen: string | null;
}

export function listAgentsWithCredentials(db: Db): AgentListing[] {
  const seen = new Map(listAgents(db).map((a) => [a.id, a.last_seen]));
  return listAgentCredentials(db).map((c) => ({
    name: c.agent_id,
    created: c.created_at,
    lastSeen: seen.get(c.agent_id) ?? null,
  }));
}

/** The agent an `Authorization: Basic base64(NAME:SECRET)` header proves, if any. */
export function authenticateAgent(db: Db, header: string | undefined): AgentIdentity | undefined {
  const [scheme, value] = (header ?? '').split(' ', 2);
  if (scheme?.toLowerCase() !== 'basic' || !value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const agentId = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (!AGENT_ID_RE.test(agentId) || !secret) return undefined;
  const stored = findAgentCredential(db, agentId);
  if (!stored) return undefined;
  const given = Buffer.from(hash(secret), 'hex');
  const expected = Buffer.from(stored.secret_hash, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { agentId, secretHash: stored.secret_hash };
}

/** Whether the credential an agent connected with still stands (not removed, not replaced). */
export function credentialStands(db: Db, identity: AgentIdentity): boolean {
  return findAgentCredential(db, identity.agentId)?.secret_hash === identity.secretHash;
}
