import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { describe, expect, it } from 'vitest';
import { migrate, openDb } from './db.js';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('openDb', () => {
  it('keeps the store readable by its owner only: 0600 files (WAL too) in a 0700 directory', () => {
    const dir = path.join(tempDir('paas-store-'), 'data');
    fs.mkdirSync(dir, { mode: 0o755 });
    const file = path.join(dir, 'paas.db');
    const db = openDb(file);
    migrate(db);
    expect(mode(dir)).toBe(0o700);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    db.close();
    fs.chmodSync(file, 0o644); // a store made by an older version
    openDb(file).close();
    expect(mode(file)).toBe(0o600);
  });
});
