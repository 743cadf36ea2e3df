/**
 * The platform's events in an app's log (source `paas`, process `api`), worded as Heroku's:
 * what changed and who did it. Core's use cases and the builder call these once the change is stored.
 */

import type { Db } from '../store/db.js';
import { listFormation } from '../store/formation.js';
import type { AppRow, ReleaseRow } from '../store/rows.js';
import type { LogRouter } from './logs.js';
import type { Actor } from './releases.js';

const ref = (app: AppRow) => ({ id: app.id, name: app.name });

export function releaseCreated(logs: LogRouter, app: AppRow, release: ReleaseRow, actor: Actor): void {
  logs.event(ref(app), 'api', `Release v${release.version} created by user ${actor.email}: ${release.description}`);
}

export function scaled(logs: LogRouter, db: Db, app: AppRow, actor: Actor): void {
  const formation = listFormation(db, app.id)
    .map((f) => `${f.type}@${f.quantity}:${f.size}`)
    .join(' ');
  logs.event(ref(app), 'api', `Scaled to ${formation || 'nothing'} by user ${actor.email}`);
}

export function restarted(logs: LogRouter, app: AppRow, scope: string, actor: Actor): void {
  logs.event(ref(app), 'api', `Restart${scope ? ` ${scope}` : ''} by user ${actor.email}`);
}

export function stopped(logs: LogRouter, app: AppRow, scope: string, actor: Actor): void {
  logs.event(ref(app), 'api', `Stop ${scope} by user ${actor.email}`);
}

export function buildEvent(logs: LogRouter, app: AppRow, line: string): void {
  logs.event(ref(app), 'api', line);
}
