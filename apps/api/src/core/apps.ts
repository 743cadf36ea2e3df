import { randomInt } from 'node:crypto';
import { notFound } from '../errors.js';
import type { GitRepos } from '../git/repos.js';
import { findApp, insertApp, markAppDestroyed } from '../store/apps.js';
import type { Db } from '../store/db.js';
import { removeAppDomains } from '../store/domains.js';
import { removeAppDrains } from '../store/drains.js';
import { removeAppLogLines } from '../store/logs.js';
import type { AppRow } from '../store/rows.js';

const ADJECTIVES = [
  'ancient',
  'bold',
  'calm',
  'damp',
  'eager',
  'fancy',
  'gentle',
  'hidden',
  'icy',
  'jolly',
  'keen',
  'lively',
  'misty',
  'noble',
  'odd',
  'proud',
  'quiet',
  'rapid',
  'shiny',
  'tidy',
  'vast',
  'warm',
  'young',
  'zesty',
];
const NOUNS = [
  'anchor',
  'brook',
  'cloud',
  'dawn',
  'ember',
  'field',
  'grove',
  'harbor',
  'island',
  'jungle',
  'lake',
  'meadow',
  'night',
  'ocean',
  'peak',
  'river',
  'shore',
  'thunder',
  'valley',
  'wave',
  'willow',
  'yard',
];

const pick = (words: string[]) => words[randomInt(words.length)] ?? 'app';

/** A free name in Heroku's style: adjective-noun-NNNNN. */
export function generateAppName(db: Db): string {
  for (;;) {
    const name = `${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomInt(10000, 99999)}`;
    if (!findApp(db, name)) return name;
  }
}

export function requireApp(db: Db, nameOrId: string): AppRow {
  const app = findApp(db, nameOrId);
  if (!app) throw notFound("Couldn't find that app.");
  return app;
}

export async function createApp(db: Db, repos: GitRepos, name: string | undefined): Promise<AppRow> {
  const app = insertApp(db, name ?? generateAppName(db));
  await repos.ensure(app.id);
  return app;
}

export async function destroyApp(db: Db, repos: GitRepos, app: AppRow): Promise<void> {
  markAppDestroyed(db, app.id);
  removeAppDomains(db, app.id);
  removeAppLogLines(db, app.id);
  removeAppDrains(db, app.id);
  await repos.remove(app.id);
}
