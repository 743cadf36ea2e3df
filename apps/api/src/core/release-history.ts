/**
 * An app's releases, and going back to one. A rollback to a release whose image is there is
 * one Docker inspect and one store write; to one whose image was collected, the image is
 * built again from the commit of that release's build and the new release takes it.
 */
import { invalid, notFound, PaasError } from '../errors.js';
import { findBuild } from '../store/builds.js';
import { currentRelease, findRelease, listReleases as storedReleases } from '../store/releases.js';
import type { AppRow, ReleaseRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';
import { releaseCommandOf } from './procfile.js';
import { lockApp, settleInBackground } from './release-flow.js';
import type { OutputFollow } from './release-phase.js';
import { type Actor, appendRollback, rollbackTarget } from './releases.js';

/** The app's releases, newest first, and the version that is live. */
export function listReleases(core: Pick<CoreDeps, 'db'>, app: AppRow): { releases: ReleaseRow[]; current?: number } {
  return { releases: storedReleases(core.db, app.id), current: currentRelease(core.db, app.id)?.version };
}

/**
 * One release (by id or version), the version that is live, and the commit a rollback to it
 * would rebuild from (its image was collected), if any.
 */
export async function showRelease(
  core: Pick<CoreDeps, 'db' | 'images'>,
  app: AppRow,
  ref: string,
): Promise<{ release: ReleaseRow; current?: number; rebuildFrom: string | null }> {
  const release = findRelease(core.db, app.id, ref);
  if (!release) throw notFound("Couldn't find that release.");
  const rebuildFrom = await rebuildCommit(core, app, release);
  return { release, current: currentRelease(core.db, app.id)?.version, rebuildFrom };
}

/** The commit a rollback to `to` would rebuild from, if its image is gone (null: it is there, or unknown). */
async function rebuildCommit(
  core: Pick<CoreDeps, 'db' | 'images'>,
  app: AppRow,
  to: ReleaseRow,
): Promise<string | null> {
  if (!to.image_id || !to.build_id) return null;
  try {
    if (await core.images.exists(to.image_id)) return null;
  } catch {
    return null;
  }
  return findBuild(core.db, app.id, to.build_id)?.commit_sha ?? null;
}

/**
 * Rolls back to `target` (a version or id): a new release with its image, config and process
 * types, made once the app's lock is free (a change in progress finishes first); its release
 * phase, if it has one, runs after the answer, holding the lock. `rebuiltFrom` says the image
 * was collected and built again from that commit. A failed rebuild makes no release and
 * throws `build_failed`; `signal` (the client hung up) cancels it.
 */
export async function rollback(
  core: CoreDeps,
  app: AppRow,
  target: string | number,
  actor: Actor,
  signal: AbortSignal,
): Promise<{ release: ReleaseRow; rebuiltFrom?: string }> {
  rollbackTarget(core.db, app, target); // a bad target is refused before waiting for the lock
  const unlock = await lockApp(core, app, `Rollback to ${target} by user ${actor.email}`, signal);
  let made: { release: ReleaseRow; rebuiltFrom?: string };
  try {
    made = await appendRollbackRelease(core, app, target, actor, signal);
  } catch (err) {
    unlock();
    throw err;
  }
  settleInBackground(core, app, made.release, actor, unlock);
  return made;
}

/** The rollback's release (its image rebuilt first if it was collected), under the app's lock. */
async function appendRollbackRelease(
  core: CoreDeps,
  app: AppRow,
  target: string | number,
  actor: Actor,
  signal: AbortSignal,
): Promise<{ release: ReleaseRow; rebuiltFrom?: string }> {
  const { db, images, builder } = core;
  const to = rollbackTarget(db, app, target);
  const fast = await images.exclusive(async () => {
    let present: boolean;
    try {
      present = await images.exists(to.image_id);
    } catch (err) {
      throw new PaasError(
        'unavailable',
        `Docker is not reachable, so v${to.version}'s image cannot be checked: ${(err as Error).message}`,
      );
    }
    return present ? appendRollback(db, app, to, actor) : undefined;
  });
  if (fast) return { release: fast };

  const commit = to.build_id ? findBuild(db, app.id, to.build_id)?.commit_sha : undefined;
  if (!commit) {
    throw invalid(`v${to.version}'s image was collected and no build of it is recorded, so it cannot be rebuilt.`);
  }
  // The builder stores the release; the caller follows it through.
  const result = await builder.rebuild({
    app,
    commit,
    actor,
    what: `v${to.version}'s image (it was collected)`,
    signal,
    release: (image, buildId) => appendRollback(db, app, to, actor, { image, buildId }),
  });
  if (!result.ok || !result.release) {
    const reason = result.error ?? 'the build failed';
    throw new PaasError(
      'build_failed',
      `Could not rebuild v${to.version}'s image from commit ${commit.slice(0, 7)}: ${reason}. ` +
        `No release was made (the build's output: paas builds:output ${result.build.id}).`,
    );
  }
  return { release: result.release, rebuiltFrom: commit };
}

/** The token of `release`'s output URL, or null if it has no release command (so no output). */
export function releaseOutputToken(core: Pick<CoreDeps, 'outputTokens'>, release: ReleaseRow): string | null {
  return releaseCommandOf(release.process_types) === null ? null : core.outputTokens.issue(release.id);
}

/**
 * What a release output URL's token opens: the release's output, finished or still coming.
 * A bad or expired token is `forbidden`; a release command not started yet is `not_found`
 * (the Heroku CLI says "not started yet" on a 404).
 */
export function openReleaseOutput(
  core: Pick<CoreDeps, 'outputTokens' | 'phases'>,
  token: string,
): Exclude<OutputFollow, { state: 'not-started' }> {
  const releaseId = core.outputTokens.verify(token);
  if (!releaseId) {
    throw new PaasError(
      'forbidden',
      'This release output URL is not valid or has expired; show the release again for a fresh one.',
    );
  }
  const found = core.phases.follow(releaseId);
  if (found.state === 'not-started') throw notFound('Release command not started yet.');
  return found;
}

/** The row type the routes present (routes import nothing from the store). */
export type { ReleaseRow } from '../store/rows.js';
