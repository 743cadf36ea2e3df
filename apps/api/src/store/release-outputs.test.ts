import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { describe, expect, it } from 'vitest';
import { appendRollback, currentConfig, deploy, rollbackTarget, setConfigVars } from '../core/releases.js';
import { insertApp } from './apps.js';
import { insertBuild } from './builds.js';
import { migrate, openDb } from './db.js';
import { listFormation } from './formation.js';
import {
  decideRelease,
  failInterruptedReleases,
  findReleaseOutput,
  releaseOutputKey,
  saveReleaseOutput,
  startReleaseOutput,
} from './release-outputs.js';
import { currentRelease, findRelease, listReleases } from './releases.js';
import type { AppRow } from './rows.js';

function freshStore() {
  const db = openDb(path.join(tempDir('paas-store-'), 'paas.db'));
  migrate(db);
  return db;
}

const actor = { email: 'me@example.com' };
type Db = ReturnType<typeof freshStore>;

function push(db: Db, app: AppRow, n: number, processTypes: Record<string, string | null>) {
  const buildId = insertBuild(db, { appId: app.id, commit: `c${n}`, userEmail: 'me' }).id;
  return deploy(
    db,
    app,
    { image: { id: `sha256:${n}`, tag: `paas/${app.name}:${n}` }, processTypes, commit: `c${n}`, buildId },
    actor,
  );
}

const done = (status: 'succeeded' | 'failed', exitCode: number) => ({
  status,
  exitCode,
  reason: status === 'failed' ? `the release command exited with status ${exitCode}` : null,
  output: { text: 'migrating\n', dropped: 0 },
});

describe('release status', () => {
  it('writes a release with a release command pending; the current release is the newest succeeded', () => {
    const db = freshStore();
    const app = insertApp(db, 'phases');
    const v1 = push(db, app, 1, { web: 'node server.js' });
    expect(v1.status).toBe('succeeded');
    const v2 = push(db, app, 2, { web: 'node server.js', release: 'node migrate.js' });
    expect(v2.status).toBe('pending');
    expect(currentRelease(db, app.id)?.version).toBe(1);
    // `release` is the release phase's command, not a process type the formation scales.
    expect(listFormation(db, app.id).map((f) => f.type)).toEqual(['web']);

    startReleaseOutput(db, { releaseId: v2.id, appId: app.id, process: 'release.2', command: 'node migrate.js' });
    expect(decideRelease(db, v2.id, done('failed', 1))).toBe(true);
    expect(findRelease(db, app.id, 2)?.status).toBe('failed');
    expect(currentRelease(db, app.id)?.version).toBe(1);
    // Decided once: a second decision changes nothing, in either direction.
    expect(decideRelease(db, v2.id, done('succeeded', 0))).toBe(false);
    expect(findRelease(db, app.id, 2)?.status).toBe('failed');
    const output = findReleaseOutput(db, v2.id);
    expect([output?.output, output?.exit_code, output?.reason, output?.process]).toEqual([
      'migrating\n',
      1,
      'the release command exited with status 1',
      'release.2',
    ]);
    expect(output?.finished_at).not.toBeNull();
  });

  it('builds a config change on the current release, never on a failed one', () => {
    const db = freshStore();
    const app = insertApp(db, 'on-current');
    push(db, app, 1, { web: 'a', release: 'ok' });
    const [v1] = listReleases(db, app.id);
    decideRelease(db, v1?.id ?? '', done('succeeded', 0));
    setConfigVars(db, app, { A: '1' }, actor); // v2: pending (v1 has a release command)
    const v2 = findRelease(db, app.id, 2);
    expect(v2?.status).toBe('pending');
    decideRelease(db, v2?.id ?? '', done('failed', 1));
    const v3 = push(db, app, 3, { web: 'b', release: 'bad' });
    decideRelease(db, v3.id, done('failed', 1));
    // The app's config is its current release's (v1's): the failed v2 changed nothing.
    expect(currentConfig(db, app.id)).toEqual({});
    const v4 = setConfigVars(db, app, { B: '2' }, actor);
    expect([v4.config, v4.image_id, v4.process_types]).toEqual([{ B: '2' }, 'sha256:1', { web: 'a', release: 'ok' }]);
  });

  it('refuses a rollback to a failed or pending release', () => {
    const db = freshStore();
    const app = insertApp(db, 'no-failed');
    push(db, app, 1, { web: 'a' });
    const v2 = push(db, app, 2, { web: 'a', release: 'r' });
    expect(() => rollbackTarget(db, app, 2)).toThrow(/still running its release phase/);
    decideRelease(db, v2.id, done('failed', 1));
    expect(() => rollbackTarget(db, app, 2)).toThrow(/v2 failed its release phase/);
    const v3 = appendRollback(db, app, rollbackTarget(db, app, 1), actor);
    expect([v3.version, v3.status, v3.description]).toEqual([3, 'succeeded', 'Rollback to v1']);
  });

  it('allows the one status move in the store itself, and no other edit of a pending release', () => {
    const db = freshStore();
    const app = insertApp(db, 'trigger');
    const v1 = push(db, app, 1, { web: 'a', release: 'r' });
    expect(() => db.prepare(`UPDATE releases SET description = 'x' WHERE id = ?`).run(v1.id)).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE releases SET status = 'pending' WHERE id = ?`).run(v1.id)).not.toThrow();
    db.prepare(`UPDATE releases SET status = 'succeeded' WHERE id = ?`).run(v1.id);
    expect(() => db.prepare(`UPDATE releases SET status = 'failed' WHERE id = ?`).run(v1.id)).toThrow(/immutable/);
    expect(() => db.prepare(`UPDATE releases SET status = 'pending' WHERE id = ?`).run(v1.id)).toThrow(/immutable/);
    expect(() => db.prepare(`DELETE FROM releases WHERE id = ?`).run(v1.id)).toThrow(/immutable/);
  });

  it('fails, at start-up, the releases a killed api left pending, saying why', () => {
    const db = freshStore();
    const app = insertApp(db, 'killed');
    push(db, app, 1, { web: 'a' });
    const started = push(db, app, 2, { web: 'a', release: 'sleep 100' });
    startReleaseOutput(db, { releaseId: started.id, appId: app.id, process: 'release.2', command: 'sleep 100' });
    saveReleaseOutput(db, started.id, { text: 'half way', dropped: 0 });
    const reason = 'Release command interrupted: the api stopped before it finished';
    expect(failInterruptedReleases(db, reason).map((r) => r.version)).toEqual([2]);
    expect(findRelease(db, app.id, 2)?.status).toBe('failed');
    expect(currentRelease(db, app.id)?.version).toBe(1);
    expect(findReleaseOutput(db, started.id)?.output).toBe(`half way\n${reason}\n`);
    // One that had not started gets its row too (so its output says what happened).
    const notStarted = push(db, app, 3, { web: 'a', release: 'true' });
    failInterruptedReleases(db, reason);
    expect(findReleaseOutput(db, notStarted.id)?.output).toBe(`${reason}\n`);
    expect(failInterruptedReleases(db, reason)).toEqual([]);
  });

  it('keeps a signing key for output URLs', () => {
    expect(releaseOutputKey(freshStore())).toMatch(/^[0-9a-f]{64}$/);
  });
});
