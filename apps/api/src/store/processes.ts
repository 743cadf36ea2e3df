/** What the agents runtime keeps: agents last seen, placements, restart requests. */
import type { Db } from './db.js';
import { now } from './db.js';
import { type AgentRow, agentRow, placementRow, restartRow } from './rows.js';

export function listAgents(db: Db): AgentRow[] {
  return db
    .prepare(`SELECT * FROM agents`)
    .all()
    .map((row) => agentRow.parse(row));
}

export function saveAgent(db: Db, agent: Omit<AgentRow, 'last_seen'>, lastSeen = now()): void {
  db.prepare(
    `INSERT INTO agents (id, hostname, capacity, last_seen) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, capacity = excluded.capacity, last_seen = excluded.last_seen`,
  ).run(agent.id, agent.hostname, agent.capacity, lastSeen);
}

export function touchAgent(db: Db, id: string, lastSeen = now()): void {
  db.prepare(`UPDATE agents SET last_seen = ? WHERE id = ?`).run(lastSeen, id);
}

export function loadPlacements(db: Db): Map<string, string> {
  const rows = db
    .prepare(`SELECT key, agent_id FROM placements`)
    .all()
    .map((row) => placementRow.parse(row));
  return new Map(rows.map((r) => [r.key, r.agent_id]));
}

/** Replaces the placements with `placed` (key → agent), in one transaction. */
export function savePlacements(db: Db, placed: Map<string, { agentId: string; appId: string }>): void {
  db.transaction(() => {
    const existing = loadPlacements(db);
    const del = db.prepare(`DELETE FROM placements WHERE key = ?`);
    const upsert = db.prepare(
      `INSERT INTO placements (key, app_id, agent_id, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET agent_id = excluded.agent_id, updated_at = excluded.updated_at`,
    );
    for (const key of existing.keys()) if (!placed.has(key)) del.run(key);
    const at = now();
    for (const [key, p] of placed) if (existing.get(key) !== p.agentId) upsert.run(key, p.appId, p.agentId, at);
  })();
}

export function restartsOf(db: Db, appId: string): Map<string, string> {
  const rows = db
    .prepare(`SELECT scope, at FROM restarts WHERE app_id = ?`)
    .all(appId)
    .map((row) => restartRow.parse(row));
  return new Map(rows.map((r) => [r.scope, r.at]));
}

export function requestRestart(db: Db, appId: string, scope: string): void {
  db.prepare(
    `INSERT INTO restarts (app_id, scope, at) VALUES (?, ?, ?) ON CONFLICT (app_id, scope) DO UPDATE SET at = excluded.at`,
  ).run(appId, scope, now());
}
