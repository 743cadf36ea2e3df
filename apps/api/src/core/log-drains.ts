/** An app's log drains: stored here, and each one's sender started or stopped (core/drains.ts). */
import { invalid, notFound } from '../errors.js';
import {
  removeDrain as deleteDrain,
  addDrain as insertDrain,
  findDrain as storedDrain,
  listDrains as storedDrains,
} from '../store/drains.js';
import type { AppRow, DrainRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';

export function listDrains(core: Pick<CoreDeps, 'db'>, app: AppRow): DrainRow[] {
  return storedDrains(core.db, app.id);
}

/** A drain of the app, by id or URL. */
export function findDrain(core: Pick<CoreDeps, 'db'>, app: AppRow, idOrUrl: string): DrainRow {
  const drain = storedDrain(core.db, app.id, idOrUrl);
  if (!drain) throw notFound(`${idOrUrl} is not a drain of ${app.name}.`);
  return drain;
}

/**
 * Adds a drain (the same URL twice is a conflict); its lines start to go at once. One to an
 * internal address (loopback, private, link-local, the platform's own…) is refused.
 */
export async function addDrain(
  core: Pick<CoreDeps, 'db' | 'log' | 'drains'>,
  app: AppRow,
  url: string,
): Promise<DrainRow> {
  const refused = await core.drains.refusal(url);
  if (refused) throw invalid(`Drains may not send to internal addresses: ${refused}.`);
  const drain = insertDrain(core.db, app.id, url);
  core.drains.added(drain, { id: app.id, name: app.name });
  core.log.info({ app: app.name, drain: drain.id }, 'drain added');
  return drain;
}

export function removeDrain(core: Pick<CoreDeps, 'db' | 'log' | 'drains'>, app: AppRow, idOrUrl: string): DrainRow {
  const drain = findDrain(core, app, idOrUrl);
  deleteDrain(core.db, drain.id);
  core.drains.removed(drain.id);
  core.log.info({ app: app.name, drain: drain.id }, 'drain removed');
  return drain;
}
