import { releaseCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { listReleases, rollback, showRelease } from '../core/release-history.js';
import type { Deps } from '../deps.js';
import { presentRelease } from '../present.js';
import { parseBody } from './parse.js';

/**
 * `paas-image-rebuild: <commit>`: on a release, its image was collected, so a rollback to it
 * builds it again from that commit; on a rollback's answer, that it did.
 */
export const REBUILD_HEADER = 'paas-image-rebuild';

export function releaseRoutes(app: FastifyInstance, deps: Deps): void {
  const { presenter } = deps;
  app.get<{ Params: { app: string } }>('/apps/:app/releases', async (request) => {
    const found = requireApp(deps, request.params.app);
    const { releases, current } = listReleases(deps, found);
    return releases.map((r) => presentRelease(presenter, found, r, current));
  });

  app.get<{ Params: { app: string; release: string } }>('/apps/:app/releases/:release', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const { release, current, rebuildFrom } = await showRelease(deps, found, request.params.release);
    if (rebuildFrom) reply.header(REBUILD_HEADER, rebuildFrom);
    return presentRelease(presenter, found, release, current);
  });

  // Creating a release from an existing one is a rollback (Heroku's shape).
  app.post<{ Params: { app: string } }>('/apps/:app/releases', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(releaseCreateBody, request.body);
    // A rebuild takes a while: a client that hangs up meanwhile cancels it (and no release is made).
    const hangUp = new AbortController();
    const onClose = () => {
      if (!reply.raw.writableFinished) hangUp.abort();
    };
    reply.raw.on('close', onClose);
    try {
      const { release, rebuiltFrom } = await rollback(deps, found, body.release, request.actor, hangUp.signal);
      if (rebuiltFrom) reply.header(REBUILD_HEADER, rebuiltFrom);
      return reply.status(201).send(presentRelease(presenter, found, release, release.version));
    } finally {
      reply.raw.off('close', onClose);
    }
  });
}
