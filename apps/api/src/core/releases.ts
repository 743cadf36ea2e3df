/**
 * The release store's operations: every change to what an app runs (deploy, config change,
 * rollback) appends one immutable, numbered release, inside one write transaction.
 */
import type { ConfigVarsPatch } from '@paas/shared';
import { invalid, notFound } from '../errors.js';
import { touchApp } from '../store/apps.js';
import type { Db } from '../store/db.js';
import { ensureFormation } from '../store/formation.js';
import { appendRelease, currentRelease, findRelease } from '../store/releases.js';
import type { AppRow, ConfigMap, ProcessTypes, ReleaseRow } from '../store/rows.js';
import { formationTypes, releaseCommandOf } from './procfile.js';

export interface Actor {
  email: string;
}

/**
 * The app's config now: the current release's snapshot ({} before any release). A release
 * that failed its release phase (or is still running it) changed nothing, its config included.
 */
export function currentConfig(db: Db, appId: string): ConfigMap {
  return currentRelease(db, appId)?.config ?? {};
}

/** A new release waits for its release phase (pending) if it has a release command. */
const initialStatus = (processTypes: ProcessTypes): ReleaseRow['status'] =>
  releaseCommandOf(processTypes) === null ? 'succeeded' : 'pending';

/** Applies a config patch (null unsets). Pure. */
export function applyConfigPatch(config: ConfigMap, patch: ConfigVarsPatch): ConfigMap {
  const next: ConfigMap = { ...config };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** "Set A, B config vars", "Remove C config vars", or both. Pure. */
export function describeConfigPatch(patch: ConfigVarsPatch): string {
  const set = Object.keys(patch).filter((k) => patch[k] !== null);
  const removed = Object.keys(patch).filter((k) => patch[k] === null);
  const parts: string[] = [];
  if (set.length) parts.push(`Set ${set.join(', ')}`);
  if (removed.length) parts.push(`${parts.length ? 'remove' : 'Remove'} ${removed.join(', ')}`);
  return `${parts.join(' and ')} config vars`;
}

const inTransaction = <T>(db: Db, fn: () => T): T => db.transaction(fn).immediate();

export function setConfigVars(db: Db, app: AppRow, patch: ConfigVarsPatch, actor: Actor): ReleaseRow {
  return inTransaction(db, () => {
    // Based on the current release: one that failed its release phase is not built upon.
    const last = currentRelease(db, app.id);
    const release = appendRelease(db, {
      appId: app.id,
      image: last?.image_id ? { id: last.image_id, tag: last.image_tag } : null,
      config: applyConfigPatch(last?.config ?? {}, patch),
      processTypes: last?.process_types ?? {},
      description: describeConfigPatch(patch),
      userEmail: actor.email,
      buildId: last?.build_id ?? null,
      status: initialStatus(last?.process_types ?? {}),
    });
    touchApp(db, app.id);
    return release;
  });
}

/** The release a rollback goes back to: it must exist and have an image. */
export function rollbackTarget(db: Db, app: AppRow, target: string | number): ReleaseRow & { image_id: string } {
  const to = findRelease(db, app.id, target);
  if (!to) throw notFound(`Couldn't find that release: ${target}.`);
  if (to.status !== 'succeeded') {
    throw invalid(
      to.status === 'failed'
        ? `v${to.version} failed its release phase (paas releases:output v${to.version}), so it cannot be rolled back to.`
        : `v${to.version} is still running its release phase, so it cannot be rolled back to yet.`,
    );
  }
  if (!to.image_id) {
    throw invalid(
      `v${to.version} has no image (it was made before the app's first deploy), so it cannot be rolled back to.`,
    );
  }
  return { ...to, image_id: to.image_id };
}

/**
 * A new release with `to`'s image, config and process types. `rebuilt`: the image was
 * collected and built again from the same commit; the new release takes the new image (and
 * that build), while `to` itself stays as it was.
 */
export function appendRollback(
  db: Db,
  app: AppRow,
  to: ReleaseRow & { image_id: string },
  actor: Actor,
  rebuilt?: { image: { id: string; tag: string }; buildId: string },
): ReleaseRow {
  return inTransaction(db, () => {
    const release = appendRelease(db, {
      appId: app.id,
      image: rebuilt?.image ?? { id: to.image_id, tag: to.image_tag },
      config: to.config,
      processTypes: to.process_types,
      description: `Rollback to v${to.version}`,
      userEmail: actor.email,
      buildId: rebuilt?.buildId ?? to.build_id,
      status: initialStatus(to.process_types),
    });
    ensureFormation(db, app.id, formationTypes(to.process_types));
    touchApp(db, app.id);
    return release;
  });
}

export function deploy(
  db: Db,
  app: AppRow,
  spec: { image: { id: string; tag: string }; processTypes: ProcessTypes; commit: string; buildId: string },
  actor: Actor,
): ReleaseRow {
  return inTransaction(db, () => {
    const release = appendRelease(db, {
      appId: app.id,
      image: spec.image,
      config: currentConfig(db, app.id),
      processTypes: spec.processTypes,
      description: `Deploy ${spec.commit.slice(0, 7)}`,
      userEmail: actor.email,
      buildId: spec.buildId,
      status: initialStatus(spec.processTypes),
    });
    ensureFormation(db, app.id, formationTypes(spec.processTypes));
    touchApp(db, app.id);
    return release;
  });
}
