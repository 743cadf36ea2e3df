import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { settingRow } from './rows.js';

/** The id of the platform's (single) account, made on first use and kept. */
export function accountId(db: Db): string {
  db.prepare(`INSERT OR IGNORE INTO settings (key, value) VALUES ('account_id', ?)`).run(randomUUID());
  return settingRow.parse(db.prepare(`SELECT value FROM settings WHERE key = 'account_id'`).get()).value;
}
