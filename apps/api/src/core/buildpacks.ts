/**
 * Forcing a builder (Heroku's buildpack installations, kept as the PAAS_BUILDER config var, so
 * that `config:set PAAS_BUILDER=…` and `buildpacks:set` are one thing) and purging an app's
 * build cache (a new cache generation: the next build installs its dependencies again).
 */
import { invalid } from '../errors.js';
import { newBuildCacheGeneration } from '../store/build-cache.js';
import type { AppRow, ReleaseRow } from '../store/rows.js';
import { parseBuilder } from './build-plans/index.js';
import { getConfig, setConfig } from './config-vars.js';
import type { CoreDeps } from './context.js';
import type { Actor } from './releases.js';

export const BUILDER_VAR = 'PAAS_BUILDER';

export interface Installation {
  ordinal: number;
  buildpack: { url: string; name: string };
}

export function listBuildpacks(core: Pick<CoreDeps, 'db'>, app: AppRow): Installation[] {
  const value = getConfig(core, app)[BUILDER_VAR];
  return value ? [{ ordinal: 0, buildpack: { url: value, name: value } }] : [];
}

/**
 * Sets (or, with null, clears) the builder: a release like any config change. An unknown
 * builder is refused and changes nothing.
 */
export async function setBuildpack(
  core: CoreDeps,
  app: AppRow,
  buildpack: string | null,
  actor: Actor,
  signal?: AbortSignal,
): Promise<{ release: ReleaseRow | null; installations: Installation[] }> {
  if (buildpack !== null && !parseBuilder(buildpack)) {
    throw invalid(
      `${buildpack} is not a builder paas has. Use one of: dockerfile, node, python, go, static (or heroku/nodejs, heroku/python, heroku/go, heroku/static).`,
    );
  }
  const current = getConfig(core, app)[BUILDER_VAR] ?? null;
  if (current === buildpack) return { release: null, installations: listBuildpacks(core, app) };
  const release = await setConfig(core, app, { [BUILDER_VAR]: buildpack }, actor, signal);
  return { release, installations: listBuildpacks(core, app) };
}

/**
 * A new cache generation (what makes the next build miss, kept in the store), then the old
 * generations' images go (disk space; a failure there is logged, the purge stands).
 */
export async function purgeBuildCache(core: Pick<CoreDeps, 'db' | 'images' | 'log'>, app: AppRow): Promise<void> {
  newBuildCacheGeneration(core.db, app.id);
  try {
    const removed = await core.images.removeBuildCache(app.id);
    core.log.info({ app: app.name, removed }, 'build cache purged');
  } catch (err) {
    core.log.warn({ err, app: app.name }, 'build cache purged; removing its images failed');
  }
}
