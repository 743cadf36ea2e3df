/**
 * An app's build cache generation (settings row `build_cache:<app id>`): part of the key of
 * every dependency layer a generated build makes, so a new one (`paas builds:cache:purge`)
 * leaves all of the app's cached layers behind. No row: generation 0.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import { settingRow } from './rows.js';

const key = (appId: string) => `build_cache:${appId}`;
/** The generation the app's last Dockerfile build started from (its cache is Docker's own). */
const usedKey = (appId: string) => `build_cache_used:${appId}`;

export function buildCacheGeneration(db: Db, appId: string): string {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key(appId));
  return row ? settingRow.parse(row).value : '0';
}

/** Starts a new generation; returns it. */
export function newBuildCacheGeneration(db: Db, appId: string): string {
  const generation = randomUUID();
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key(appId), generation);
  return generation;
}

/**
 * For a build from the app's own Dockerfile (which takes no cache key): the generation it
 * should build without cache for (the cache was purged since its last such build), or null.
 */
export function pendingDockerfilePurge(db: Db, appId: string): string | null {
  const generation = buildCacheGeneration(db, appId);
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(usedKey(appId));
  return (row ? settingRow.parse(row).value : '0') === generation ? null : generation;
}

/** A build without cache for `generation` succeeded: the purge is done. */
export function dockerfilePurgeDone(db: Db, appId: string, generation: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(usedKey(appId), generation);
}

export function forgetBuildCache(db: Db, appId: string): void {
  db.prepare('DELETE FROM settings WHERE key IN (?, ?)').run(key(appId), usedKey(appId));
}
