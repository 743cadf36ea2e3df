/** An app's builds as recorded, with the output of a build still running. */
import { notFound } from '../errors.js';
import { findBuild, listBuilds as storedBuilds } from '../store/builds.js';
import { findRelease } from '../store/releases.js';
import type { AppRow, BuildRow, ReleaseRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';

export interface BuildView {
  build: BuildRow;
  /** The release it made, if any. */
  release?: ReleaseRow;
}

const releaseOf = (core: Pick<CoreDeps, 'db'>, build: BuildRow) =>
  build.release_id ? findRelease(core.db, build.app_id, build.release_id) : undefined;

/** Newest first. */
export function listBuilds(core: Pick<CoreDeps, 'db'>, app: AppRow): BuildView[] {
  return storedBuilds(core.db, app.id).map((build) => ({ build, release: releaseOf(core, build) }));
}

/** One build with its whole output so far. */
export function showBuild(
  core: Pick<CoreDeps, 'db' | 'builder'>,
  app: AppRow,
  id: string,
): BuildView & { output: string } {
  const build = findBuild(core.db, app.id, id);
  if (!build) throw notFound("Couldn't find that build.");
  return { build, release: releaseOf(core, build), output: core.builder.liveOutput(build.id) ?? build.output };
}
