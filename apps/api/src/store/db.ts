/**
 * The store: one SQLite file (WAL) under PAAS_DATA_DIR. Schema changes are the numbered
 * files in migrations/, applied in order, one transaction each, by `paas-admin migrate`;
 * PRAGMA user_version records how far a store has come.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { settingRow } from './rows.js';

export type Db = Database.Database;

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement kept for reuse: for the log path's statements, run for every batch of
 * lines an agent sends (preparing one costs more than running it). Only for statements that are
 * run or got, never iterated (an iterating statement is busy until its iterator ends).
 */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

/** The schema this code knows. A test checks that migrations/ ends at this number. */
export const SCHEMA_VERSION = 11;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  file: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .map((file) => /^(\d+)_([\w-]+)\.sql$/.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2] ?? '', file: path.join(dir, m[0]) }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations: expected number ${i + 1}, found ${path.basename(m.file)}`);
  });
  return migrations;
}

export function storePath(dataDir: string): string {
  return path.join(dataDir, 'paas.db');
}

/**
 * Opens (or makes) the store. It holds every app's config vars: the file is the api user's
 * only (0600, and SQLite gives its -wal and -shm files the same mode), in a 0700 directory.
 */
export function openDb(file: string): Db {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  for (const extra of [`${file}-wal`, `${file}-shm`]) if (fs.existsSync(extra)) fs.chmodSync(extra, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  return db;
}

export function schemaVersion(db: Db): number {
  return z
    .number()
    .int()
    .parse(db.pragma('user_version', { simple: true }));
}

/** Applies every migration newer than the store's version. Returns the ones applied. */
export function migrate(db: Db, migrations = listMigrations()): Migration[] {
  const applied: Migration[] = [];
  for (const m of migrations) {
    if (m.version <= schemaVersion(db)) continue;
    const sql = fs.readFileSync(m.file, 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    applied.push(m);
  }
  if (schemaVersion(db) >= 1) {
    db.prepare(`INSERT OR IGNORE INTO settings (key, value) VALUES ('platform_id', ?)`).run(
      randomUUID().replaceAll('-', '').slice(0, 12),
    );
  }
  return applied;
}

export class SchemaMismatchError extends Error {}

/** Opens the store for the api: refuses a schema older or newer than this code knows. */
export function openStore(dataDir: string): Db {
  const file = storePath(dataDir);
  const db = openDb(file);
  const version = schemaVersion(db);
  if (version !== SCHEMA_VERSION) {
    db.close();
    const hint =
      version < SCHEMA_VERSION
        ? 'run `pnpm paas-admin migrate` (with the same PAAS_DATA_DIR) to bring it up to date'
        : 'this store was written by a newer paas; run that version, or restore a backup';
    throw new SchemaMismatchError(
      `store ${file} has schema version ${version}, this api needs version ${SCHEMA_VERSION}: ${hint}`,
    );
  }
  return db;
}

export function platformId(db: Db): string {
  const row = db.prepare(`SELECT value FROM settings WHERE key = 'platform_id'`).get();
  if (row === undefined) throw new Error('store has no platform_id: run `pnpm paas-admin migrate`');
  return settingRow.parse(row).value;
}

export const now = (): string => new Date().toISOString();
