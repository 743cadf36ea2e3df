/** An app's config vars: read them (now, or as a release had them) and change them. */
import type { ConfigVarsPatch } from '@paas/shared';
import { notFound } from '../errors.js';
import { findRelease } from '../store/releases.js';
import type { AppRow, ConfigMap, ReleaseRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';
import { lockApp, settleInBackground } from './release-flow.js';
import { type Actor, currentConfig, setConfigVars } from './releases.js';

export function getConfig(core: Pick<CoreDeps, 'db'>, app: AppRow): ConfigMap {
  return currentConfig(core.db, app.id);
}

/** The config of one release (by id or version). */
export function releaseConfig(core: Pick<CoreDeps, 'db'>, app: AppRow, ref: string): ConfigMap {
  const release = findRelease(core.db, app.id, ref);
  if (!release) throw notFound("Couldn't find that release.");
  return release.config;
}

/**
 * Sets and unsets config vars: one new release (whose config becomes the app's config once it
 * is current). Waits for a change in progress (the app's lock); with a release command the
 * new release is answered `pending` and its release phase runs on, holding the lock. `signal`
 * (the client hung up) gives up the wait, and then nothing changes.
 */
export async function setConfig(
  core: CoreDeps,
  app: AppRow,
  patch: ConfigVarsPatch,
  actor: Actor,
  signal?: AbortSignal,
): Promise<ReleaseRow> {
  const unlock = await lockApp(core, app, `Config change by user ${actor.email}`, signal);
  let release: ReleaseRow;
  try {
    release = setConfigVars(core.db, app, patch, actor);
  } catch (err) {
    unlock();
    throw err;
  }
  settleInBackground(core, app, release, actor, unlock);
  return release;
}
