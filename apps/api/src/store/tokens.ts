import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { type Db, now } from './db.js';
import { tokenRow } from './rows.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface TokenOwner {
  id: string;
  email: string;
}

/**
 * Makes sure a bootstrap admin token exists. With PAAS_API_TOKEN set it is that token
 * (replacing an earlier bootstrap token); without it, one is generated on the first start
 * only, and returned so that the caller can print it once.
 */
export function ensureBootstrapToken(db: Db, email: string, configured?: string): { generated?: string } {
  const found = db.prepare(`SELECT id, token_hash, email FROM api_tokens WHERE description = 'bootstrap'`).get();
  const existing = found === undefined ? undefined : tokenRow.parse(found);
  if (configured !== undefined) {
    const h = hash(configured);
    if (existing?.token_hash === h) return {};
    db.transaction(() => {
      db.prepare(`DELETE FROM api_tokens WHERE description = 'bootstrap'`).run();
      db.prepare(
        `INSERT INTO api_tokens (id, token_hash, email, description, created_at) VALUES (?, ?, ?, 'bootstrap', ?)`,
      ).run(randomUUID(), h, email, now());
    })();
    return {};
  }
  if (existing) return {};
  const generated = randomBytes(24).toString('base64url');
  db.prepare(
    `INSERT INTO api_tokens (id, token_hash, email, description, created_at) VALUES (?, ?, ?, 'bootstrap', ?)`,
  ).run(randomUUID(), hash(generated), email, now());
  return { generated };
}

export function verifyToken(db: Db, token: string): TokenOwner | undefined {
  const h = hash(token);
  const found = db.prepare(`SELECT id, token_hash, email FROM api_tokens WHERE token_hash = ?`).get(h);
  const row = found === undefined ? undefined : tokenRow.parse(found);
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(h))) return undefined;
  return { id: row.id, email: row.email };
}
