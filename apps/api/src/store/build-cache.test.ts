import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { expect, it } from 'vitest';
import { insertApp } from './apps.js';
import { buildCacheGeneration, forgetBuildCache, newBuildCacheGeneration, takeDockerfilePurge } from './build-cache.js';
import { migrate, openDb } from './db.js';

it("keeps an app's build cache generation, and a Dockerfile app's purge for its next build only", () => {
  const db = openDb(path.join(tempDir('paas-store-'), 'paas.db'));
  migrate(db);
  const app = insertApp(db, 'cached');
  const other = insertApp(db, 'other');
  expect(buildCacheGeneration(db, app.id)).toBe('0');
  expect(takeDockerfilePurge(db, app.id)).toBe(false);

  const generation = newBuildCacheGeneration(db, app.id);
  expect(buildCacheGeneration(db, app.id)).toBe(generation);
  expect(buildCacheGeneration(db, other.id)).toBe('0');
  expect(takeDockerfilePurge(db, app.id)).toBe(true);
  expect(takeDockerfilePurge(db, app.id)).toBe(false);
  expect(newBuildCacheGeneration(db, app.id)).not.toBe(generation);
  expect(takeDockerfilePurge(db, app.id)).toBe(true);

  forgetBuildCache(db, app.id);
  expect(buildCacheGeneration(db, app.id)).toBe('0');
  expect(takeDockerfilePurge(db, app.id)).toBe(false);
  db.close();
});
