/**
 * A stored release, followed through. One with no release command rolls out at once
 * (`released`). One with a release command is `pending`: the app's log says it was created,
 * its release phase runs (core/release-phase.ts), and only if that succeeds does it become
 * current and roll out; if it fails, nothing else changes (the previous release keeps running
 * and stays current). Each change to an app holds the app's lock until this is done, so a
 * second change waits for the first one's release phase.
 */
import { PaasError } from '../errors.js';
import type { AppRow, ReleaseRow } from '../store/rows.js';
import { buildEvent, releaseCreated } from './events.js';
import type { KeyedMutex } from './locks.js';
import type { PhaseResult, ReleasePhases } from './release-phase.js';
import { type ReleaseFollowUp, released } from './released.js';
import type { Actor } from './releases.js';

export interface ReleaseFlowDeps extends ReleaseFollowUp {
  phases: ReleasePhases;
  locks: KeyedMutex;
}

export interface Settled extends PhaseResult {
  release: ReleaseRow;
}

/** Runs the release phase if `release` has one, then rolls it out if it succeeded. */
export async function settleRelease(
  deps: ReleaseFlowDeps,
  app: AppRow,
  release: ReleaseRow,
  actor: Actor,
  out: (line: string) => void,
): Promise<Settled> {
  if (release.status !== 'pending') {
    released(deps, app, release, actor);
    return { release, ok: true, exitCode: null, reason: null };
  }
  deps.log.info({ app: app.name, release: `v${release.version}` }, `${release.description} (release phase next)`);
  releaseCreated(deps.logs, app, release, actor);
  const result = await deps.phases.run(app, release, out);
  if (result.ok) deps.orchestrator.poke();
  // The new release may push an old one (and its image) out of those kept, failed or not.
  deps.images.collect();
  return { ...result, release: { ...release, status: result.ok ? 'succeeded' : 'failed' } };
}

/**
 * For a change made through the API (a config change, a rollback): its answer does not wait
 * for the release phase (Heroku's way: the release is answered `pending`, its output URL
 * follows the command). The app's lock, held by the caller, is released once it is settled.
 */
export function settleInBackground(
  deps: ReleaseFlowDeps,
  app: AppRow,
  release: ReleaseRow,
  actor: Actor,
  unlock: () => void,
): void {
  if (release.status !== 'pending') {
    unlock();
    released(deps, app, release, actor);
    return;
  }
  deps.phases
    .track(settleRelease(deps, app, release, actor, () => {}))
    .catch((err: unknown) => deps.log.error({ err, app: app.name }, 'release phase crashed'))
    .finally(unlock);
}

/**
 * Takes the app's lock for a change (`what`, for the app's log); if another change holds it
 * (a push being built, a release command running), the app's log says this one waits.
 */
export async function lockApp(
  deps: Pick<ReleaseFlowDeps, 'locks' | 'logs'>,
  app: AppRow,
  what: string,
  signal?: AbortSignal,
): Promise<() => void> {
  if (deps.locks.isLocked(app.id)) {
    buildEvent(deps.logs, app, `${what} waits for the change in progress (a build or a release command) to finish`);
  }
  try {
    return await deps.locks.acquire(app.id, signal);
  } catch (err) {
    if (!signal?.aborted) throw err;
    throw new PaasError('conflict', `${what} was given up: the request ended while it waited; nothing was changed.`);
  }
}
