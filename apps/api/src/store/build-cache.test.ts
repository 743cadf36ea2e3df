import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { expect, it } from 'vitest';
import { insertApp } from './apps.js';
import {
  buildCacheGeneration,
  dockerfilePurgeDone,
  forgetBuildCache,
  newBuildCacheGeneration,
  pendingDockerfilePurge,
} from './build-cache.js';
import { migrate, openDb } from './db.js';

it("keeps an app's build cache generation, and a Dockerfile app's purge for its next build only", () => {
  const db = openDb(path.join(tempDir('paas-store-'), 'paas.db'));
  migrate(db);
  const app = insertApp(db, 'cached');
  const other = insertApp(db, 'other');
  expect(buildCacheGeneration(db, app.id)).toBe('0');
  expect(pendingDockerfilePurge(db, app.id)).toBeNull();

  const generation = newBuildCacheGeneration(db, app.id);
  expect(buildCacheGeneration(db, app.id)).toBe(generation);
  expect(buildCacheGeneration(db, other.id)).toBe('0');
  // Pending until a build without cache succeeds (a build that dies leaves it pending).
  expect(pendingDockerfilePurge(db, app.id)).toBe(generation);
  expect(pendingDockerfilePurge(db, app.id)).toBe(generation);
  dockerfilePurgeDone(db, app.id, generation);
  expect(pendingDockerfilePurge(db, app.id)).toBeNull();
  const next = newBuildCacheGeneration(db, app.id);
  expect(next).not.toBe(generation);
  expect(pendingDockerfilePurge(db, app.id)).toBe(next);

  forgetBuildCache(db, app.id);
  expect(buildCacheGeneration(db, app.id)).toBe('0');
  expect(pendingDockerfilePurge(db, app.id)).toBeNull();
  db.close();
});
