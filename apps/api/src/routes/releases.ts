import { releaseCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { releaseCreated } from '../core/events.js';
import { rebuildCommit, rollbackTo } from '../core/images.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentRelease } from '../present.js';
import { currentRelease, findRelease, listReleases } from '../store/releases.js';
import { parseBody } from './parse.js';

/**
 * `paas-image-rebuild: <commit>`: on a release, its image was collected, so a rollback to it
 * builds it again from that commit; on a rollback's answer, that it did.
 */
export const REBUILD_HEADER = 'paas-image-rebuild';

export function releaseRoutes(
  app: FastifyInstance,
  { db, presenter, log, orchestrator, logs, images, builder }: Deps,
): void {
  app.get<{ Params: { app: string } }>('/apps/:app/releases', async (request) => {
    const found = requireApp(db, request.params.app);
    const current = currentRelease(db, found.id)?.version;
    return listReleases(db, found.id).map((r) => presentRelease(presenter, found, r, current));
  });

  app.get<{ Params: { app: string; release: string } }>('/apps/:app/releases/:release', async (request, reply) => {
    const found = requireApp(db, request.params.app);
    const release = findRelease(db, found.id, request.params.release);
    if (!release) throw notFound("Couldn't find that release.");
    const commit = await rebuildCommit({ db, images }, found, release);
    if (commit) reply.header(REBUILD_HEADER, commit);
    return presentRelease(presenter, found, release, currentRelease(db, found.id)?.version);
  });

  // Creating a release from an existing one is a rollback (Heroku's shape).
  app.post<{ Params: { app: string } }>('/apps/:app/releases', async (request, reply) => {
    const found = requireApp(db, request.params.app);
    const body = parseBody(releaseCreateBody, request.body);
    // A rebuild takes a while: a client that hangs up meanwhile cancels it (and no release is made).
    const hangUp = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) hangUp.abort();
    };
    reply.raw.on('close', onClose);
    try {
      const { release, rebuiltFrom } = await rollbackTo(
        { db, images, builder },
        found,
        body.release,
        request.actor,
        hangUp.signal,
      );
      log.info({ app: found.name, release: `v${release.version}`, rebuiltFrom }, release.description);
      if (rebuiltFrom) {
        reply.header(REBUILD_HEADER, rebuiltFrom); // the builder logged the release and poked
      } else {
        releaseCreated(logs, found, release, request.actor);
        orchestrator.poke();
        images.collect();
      }
      return reply.status(201).send(presentRelease(presenter, found, release, release.version));
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
