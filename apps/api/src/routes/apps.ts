import { appCreateBody } from '@paas/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createApp, destroyApp, listApps, showApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { presentApp } from '../present.js';
import { baseUrl, parseBody } from './parse.js';

export function appRoutes(app: FastifyInstance, deps: Deps): void {
  const { presenter } = deps;
  const list = async (request: FastifyRequest) =>
    listApps(deps).map((v) => presentApp(presenter, baseUrl(request), v.app, v.current));
  app.get('/apps', list);
  // One account owns every app: the user's apps are all of them (`~` is the caller).
  app.get('/users/:user/apps', list);

  app.post('/apps', async (request, reply) => {
    const body = parseBody(appCreateBody, request.body);
    const created = await createApp(deps, body.name);
    return reply.status(201).send(presentApp(presenter, baseUrl(request), created));
  });

  app.get<{ Params: { app: string } }>('/apps/:app', async (request) => {
    const { app: found, current } = showApp(deps, request.params.app);
    return presentApp(presenter, baseUrl(request), found, current);
  });

  app.delete<{ Params: { app: string } }>('/apps/:app', async (request) => {
    const { app: destroyed, current } = await destroyApp(deps, request.params.app);
    return presentApp(presenter, baseUrl(request), destroyed, current);
  });
}
