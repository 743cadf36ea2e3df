/** Apps: names, lookup, create and destroy. */

import { randomInt } from 'node:crypto';
import { notFound } from '../errors.js';
import { attachmentsToOthers, removeAppAddons } from '../store/addons.js';
import { findApp, insertApp, markAppDestroyed, listApps as storedApps } from '../store/apps.js';
import { forgetBuildCache } from '../store/build-cache.js';
import { removeAppCerts } from '../store/certs.js';
import type { Db } from '../store/db.js';
import { removeAppDomains } from '../store/domains.js';
import { removeAppDrains } from '../store/drains.js';
import { removeAppLogLines } from '../store/logs.js';
import { currentRelease } from '../store/releases.js';
import type { AppRow, ReleaseRow } from '../store/rows.js';
import { detachRelease } from './addon-provisioning.js';
import type { CoreDeps } from './context.js';

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

/** A live app by name or id, if there is one. */
export function lookupApp(core: Pick<CoreDeps, 'db'>, nameOrId: string): AppRow | undefined {
  return findApp(core.db, nameOrId);
}

export function requireApp(core: Pick<CoreDeps, 'db'>, nameOrId: string): AppRow {
  const app = findApp(core.db, nameOrId);
  if (!app) throw notFound("Couldn't find that app.");
  return app;
}

/** An app and its live release (none before the first). */
export interface AppView {
  app: AppRow;
  current?: ReleaseRow;
}

const view = (core: Pick<CoreDeps, 'db'>, app: AppRow): AppView => ({ app, current: currentRelease(core.db, app.id) });

/** Every live app, by name. */
export function listApps(core: Pick<CoreDeps, 'db'>): AppView[] {
  return storedApps(core.db).map((app) => view(core, app));
}

export function showApp(core: Pick<CoreDeps, 'db'>, nameOrId: string): AppView {
  return view(core, requireApp(core, nameOrId));
}

/** A new app (named, or given a free name) and its empty repository. */
export async function createApp(
  core: Pick<CoreDeps, 'db' | 'repos' | 'log'>,
  name: string | undefined,
): Promise<AppRow> {
  const app = insertApp(core.db, name ?? generateAppName(core.db));
  await core.repos.ensure(app.id);
  core.log.info({ app: app.name }, 'app created');
  return app;
}

/**
 * Destroys an app: its log subscribers and drains end, the app is marked destroyed (its
 * releases stay) and its domains, stored log lines and drains go, in one transaction; then
 * its repository. Its processes are no longer wanted (the runtime stops and removes them) and
 * its images go once no container uses them. Its add-ons are detached from other apps (a
 * release each) and deprovisioned (containers and volumes go). Returns what it was.
 */
export async function destroyApp(core: CoreDeps, nameOrId: string): Promise<AppView> {
  const destroyed = showApp(core, nameOrId);
  const { app } = destroyed;
  // Its add-ons go with it: first out of the other apps they are attached to (a release each).
  for (const att of attachmentsToOthers(core.db, app.id)) await detachRelease(core, att, { email: 'addons@paas' });
  core.logs.forget(app.id);
  core.drains.removedApp(app.id);
  core.db
    .transaction(() => {
      markAppDestroyed(core.db, app.id);
      removeAppDomains(core.db, app.id);
      removeAppCerts(core.db, app.id);
      removeAppLogLines(core.db, app.id);
      removeAppDrains(core.db, app.id);
      removeAppAddons(core.db, app.id);
      forgetBuildCache(core.db, app.id);
    })
    .immediate();
  await core.repos.remove(app.id);
  core.log.info({ app: app.name }, 'app destroyed');
  core.orchestrator.poke();
  core.images.collect();
  return destroyed;
}

/** The row type the routes present (routes import nothing from the store). */
export type { AppRow } from '../store/rows.js';
