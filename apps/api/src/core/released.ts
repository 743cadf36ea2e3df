/**
 * What follows every new release, whoever made it (a push's build, a config change, a
 * rollback): the api's log, the app's log, the runtime (processes roll to it) and image
 * collection (the release that falls out of the kept ones may take an image with it).
 */
import type { Logger } from '../logger.js';
import type { AppRow, ReleaseRow } from '../store/rows.js';
import { releaseCreated } from './events.js';
import type { LogRouter } from './logs.js';
import type { Actor } from './releases.js';

export interface ReleaseFollowUp {
  log: Logger;
  logs: LogRouter;
  orchestrator: { poke(): void };
  images: { collect(): void };
}

/** Called once the release is stored (its transaction committed). */
export function released(deps: ReleaseFollowUp, app: AppRow, release: ReleaseRow, actor: Actor): void {
  deps.log.info({ app: app.name, release: `v${release.version}` }, release.description);
  releaseCreated(deps.logs, app, release, actor);
  deps.orchestrator.poke();
  deps.images.collect();
}
