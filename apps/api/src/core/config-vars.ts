/** An app's config vars: read them (now, or as a release had them) and change them. */
import type { ConfigVarsPatch } from '@paas/shared';
import { notFound } from '../errors.js';
import { findRelease } from '../store/releases.js';
import type { AppRow, ConfigMap, ReleaseRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';
import { released } from './released.js';
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

/** Sets and unsets config vars: one new release (whose config is the app's config now). */
export function setConfig(core: CoreDeps, app: AppRow, patch: ConfigVarsPatch, actor: Actor): ReleaseRow {
  const release = setConfigVars(core.db, app, patch, actor);
  released(core, app, release, actor);
  return release;
}
