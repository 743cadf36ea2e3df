import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { describe, expect, it } from 'vitest';
import { insertApp } from './apps.js';
import { listMigrations, migrate, openDb } from './db.js';
import { ensureFormation, listFormation } from './formation.js';

describe('formation store', () => {
  it('migration 010 gives sizes stored before they were checked their canonical names, else Basic', () => {
    const db = openDb(path.join(tempDir('paas-store-'), 'paas.db'));
    const all = listMigrations();
    migrate(
      db,
      all.filter((m) => m.version < 10),
    );
    const app = insertApp(db, 'sizes');
    ensureFormation(db, app.id, ['web', 'worker', 'clock', 'big']);
    const set = db.prepare('UPDATE formation SET size = ? WHERE type = ?');
    set.run('standard-2X', 'web');
    set.run('2x', 'worker');
    set.run('enormous', 'clock');
    set.run(' performance-l ', 'big');
    migrate(db, all);
    expect(listFormation(db, app.id).map((f) => `${f.type}:${f.size}`)).toEqual([
      'big:Performance-L',
      'clock:Basic',
      'web:Standard-2X',
      'worker:Standard-2X',
    ]);
  });
});
