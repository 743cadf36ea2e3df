import { releaseCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app.js';
import { requireApp } from '../core/apps.js';
import { releaseCreated } from '../core/events.js';
import { rollback } from '../core/releases.js';
import { notFound } from '../errors.js';
import { presentRelease } from '../present.js';
import { currentRelease, findRelease, listReleases } from '../store/releases.js';
import { parseBody } from './parse.js';

export function releaseRoutes(app: FastifyInstance, { db, presenter, log, orchestrator, logs }: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/releases', async (request) => {
    const found = requireApp(db, request.params.app);
    const current = currentRelease(db, found.id)?.version;
    return listReleases(db, found.id).map((r) => presentRelease(presenter, found, r, current));
  });

  app.get<{ Params: { app: string; release: string } }>('/apps/:app/releases/:release', async (request) => {
    const found = requireApp(db, request.params.app);
    const release = findRelease(db, found.id, request.params.release);
    if (!release) throw notFound("Couldn't find that release.");
    return presentRelease(presenter, found, release, currentRelease(db, found.id)?.version);
  });

  // Creating a release from an existing one is a rollback (Heroku's shape).
  app.post<{ Params: { app: string } }>('/apps/:app/releases', async (request, reply) => {
    const found = requireApp(db, request.params.app);
    const body = parseBody(releaseCreateBody, request.body);
    const release = rollback(db, found, body.release, request.actor);
    log.info({ app: found.name, release: `v${release.version}` }, release.description);
    releaseCreated(logs, found, release, request.actor);
    orchestrator.poke();
    return reply.status(201).send(presentRelease(presenter, found, release, release.version));
  });
}
