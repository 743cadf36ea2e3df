import { appCreateBody } from '@paas/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createApp, destroyApp, requireApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { presentApp } from '../present.js';
import { listApps } from '../store/apps.js';
import { currentRelease } from '../store/releases.js';
import { baseUrl, parseBody } from './parse.js';

export function appRoutes(
  app: FastifyInstance,
  { db, repos, presenter, log, orchestrator, logs, drains, images }: Deps,
): void {
  const list = async (request: FastifyRequest) =>
    listApps(db).map((a) => presentApp(presenter, baseUrl(request), a, currentRelease(db, a.id)));
  app.get('/apps', list);
  // One account owns every app: the user's apps are all of them (`~` is the caller).
  app.get('/users/:user/apps', list);

  app.post('/apps', async (request, reply) => {
    const body = parseBody(appCreateBody, request.body);
    const created = await createApp(db, repos, body.name);
    log.info({ app: created.name }, 'app created');
    return reply.status(201).send(presentApp(presenter, baseUrl(request), created));
  });

  app.get<{ Params: { app: string } }>('/apps/:app', async (request) => {
    const found = requireApp(db, request.params.app);
    return presentApp(presenter, baseUrl(request), found, currentRelease(db, found.id));
  });

  app.delete<{ Params: { app: string } }>('/apps/:app', async (request) => {
    const found = requireApp(db, request.params.app);
    const body = presentApp(presenter, baseUrl(request), found, currentRelease(db, found.id));
    logs.forget(found.id);
    drains.removedApp(found.id);
    await destroyApp(db, repos, found);
    log.info({ app: found.name }, 'app destroyed');
    orchestrator.poke(); // its processes are no longer wanted: agents stop and remove them
    images.collect(); // its images go once no container uses them
    return body;
  });
}
