import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { describe, expect, it } from 'vitest';
import { appendRollback, deploy, rollbackTarget, setConfigVars } from '../core/releases.js';
import { insertApp } from './apps.js';
import { insertBuild } from './builds.js';
import { listMigrations, migrate, openDb, SCHEMA_VERSION } from './db.js';
import { appendRelease, listReleases } from './releases.js';

function freshStore() {
  const db = openDb(path.join(tempDir('paas-store-'), 'paas.db'));
  migrate(db);
  return db;
}

const actor = { email: 'me@example.com' };

describe('release store', () => {
  it('knows the schema that migrations/ ends at', () => {
    expect(listMigrations().at(-1)?.version).toBe(SCHEMA_VERSION);
  });

  it('refuses a direct UPDATE of a release field, and any DELETE', () => {
    const db = freshStore();
    const app = insertApp(db, 'immutable');
    setConfigVars(db, app, { A: '1' }, actor);
    expect(() => db.prepare(`UPDATE releases SET description = 'rewritten'`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE releases SET config = '{}'`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE releases SET version = 7`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE releases SET status = 'failed'`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`DELETE FROM releases`).run()).toThrow(/immutable/);
    const [release] = listReleases(db, app.id);
    expect(release?.description).toBe('Set A config vars');
    expect(release?.config).toEqual({ A: '1' });
  });

  it('lets status move once from pending, and never back', () => {
    const db = freshStore();
    const app = insertApp(db, 'pending');
    db.transaction(() =>
      appendRelease(db, {
        appId: app.id,
        image: null,
        config: {},
        processTypes: {},
        description: 'x',
        userEmail: 'me',
        buildId: null,
        status: 'pending',
      }),
    )();
    db.prepare(`UPDATE releases SET status = 'succeeded'`).run();
    expect(() => db.prepare(`UPDATE releases SET status = 'failed'`).run()).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE releases SET status = 'pending'`).run()).toThrow(/immutable/);
  });

  it('refuses a version with a gap or a duplicate', () => {
    const db = freshStore();
    const app = insertApp(db, 'gaps');
    setConfigVars(db, app, { A: '1' }, actor);
    const insert = (version: number) =>
      db
        .prepare(
          `INSERT INTO releases (id, app_id, version, config, process_types, description, user_email, created_at, status)
           VALUES (?, ?, ?, '{}', '{}', 'x', 'me', 'now', 'succeeded')`,
        )
        .run(`id-${version}`, app.id, version);
    expect(() => insert(3)).toThrow(/next number/);
    expect(() => insert(1)).toThrow();
    expect(() => insert(2)).not.toThrow();
  });

  it('numbers releases 1, 2, 3 per app', () => {
    const db = freshStore();
    const a = insertApp(db, 'app-a');
    const b = insertApp(db, 'app-b');
    setConfigVars(db, a, { A: '1' }, actor);
    setConfigVars(db, b, { B: '1' }, actor);
    setConfigVars(db, a, { A: null, C: '3' }, actor);
    expect(listReleases(db, a.id).map((r) => [r.version, r.description, r.config])).toEqual([
      [2, 'Set C and remove A config vars', { C: '3' }],
      [1, 'Set A config vars', { A: '1' }],
    ]);
    expect(listReleases(db, b.id).map((r) => r.version)).toEqual([1]);
    // v1 was made before any deploy: it has no image, so there is nothing to roll back to.
    expect(() => rollbackTarget(db, a, 1)).toThrow(/no image/);
    expect(listReleases(db, a.id)).toHaveLength(2);
  });

  it("rolls back: a new release with the old one's image, config and process types", () => {
    const db = freshStore();
    const app = insertApp(db, 'roll');
    const build = (commit: string) => insertBuild(db, { appId: app.id, commit, userEmail: 'me' }).id;
    deploy(
      db,
      app,
      {
        image: { id: 'sha256:one', tag: 'paas/roll:1' },
        processTypes: { web: 'a' },
        commit: 'c1',
        buildId: build('c1'),
      },
      actor,
    );
    setConfigVars(db, app, { A: '1' }, actor);
    deploy(
      db,
      app,
      {
        image: { id: 'sha256:two', tag: 'paas/roll:2' },
        processTypes: { web: 'b', worker: 'w' },
        commit: 'c2',
        buildId: build('c2'),
      },
      actor,
    );
    setConfigVars(db, app, { A: '2' }, actor);
    const v5 = appendRollback(db, app, rollbackTarget(db, app, 2), actor);
    expect([v5.version, v5.description, v5.image_id, v5.config, v5.process_types]).toEqual([
      5,
      'Rollback to v2',
      'sha256:one',
      { A: '1' },
      { web: 'a' },
    ]);
    // The release rolled back to is untouched, and so is the one before the rollback.
    const [, v4, , v2] = listReleases(db, app.id);
    expect([v2?.image_id, v2?.config]).toEqual(['sha256:one', { A: '1' }]);
    expect([v4?.image_id, v4?.config]).toEqual(['sha256:two', { A: '2' }]);
    expect(() => rollbackTarget(db, app, 9)).toThrow(/Couldn't find that release: 9/);
  });
});
