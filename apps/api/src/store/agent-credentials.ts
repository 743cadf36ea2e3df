/** Agents' credentials: one per agent id, only the hash of its secret (migrations/011_agents.sql). */
import { type Db, now } from './db.js';
import { type AgentCredentialRow, agentCredentialRow } from './rows.js';

/** Sets the agent's credential (a new agent, or a new secret for one that has one). */
export function saveAgentCredential(db: Db, agentId: string, secretHash: string): void {
  db.prepare(
    `INSERT INTO agent_credentials (agent_id, secret_hash, created_at) VALUES (?, ?, ?)
     ON CONFLICT (agent_id) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at`,
  ).run(agentId, secretHash, now());
}

export function findAgentCredential(db: Db, agentId: string): AgentCredentialRow | undefined {
  const row = db.prepare(`SELECT * FROM agent_credentials WHERE agent_id = ?`).get(agentId);
  return row === undefined ? undefined : agentCredentialRow.parse(row);
}

export function listAgentCredentials(db: Db): AgentCredentialRow[] {
  return db
    .prepare(`SELECT * FROM agent_credentials ORDER BY agent_id`)
    .all()
    .map((row) => agentCredentialRow.parse(row));
}

/** Revokes the agent's credential; whether it had one. */
export function deleteAgentCredential(db: Db, agentId: string): boolean {
  return db.prepare(`DELETE FROM agent_credentials WHERE agent_id = ?`).run(agentId).changes > 0;
}
