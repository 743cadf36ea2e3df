/** Log drains (Heroku's shape): where else an app's log lines go. */
import { drainCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { addDrain, findDrain, listDrains, removeDrain } from '../core/log-drains.js';
import type { Deps } from '../deps.js';
import { presentDrain } from '../present.js';
import { parseBody } from './parse.js';

export function drainRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/log-drains', async (request) => {
    const found = requireApp(deps, request.params.app);
    return listDrains(deps, found).map((d) => presentDrain(found, d));
  });

  app.post<{ Params: { app: string } }>('/apps/:app/log-drains', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const { url } = parseBody(drainCreateBody, request.body);
    return reply.status(201).send(presentDrain(found, await addDrain(deps, found, url)));
  });

  app.get<{ Params: { app: string; drain: string } }>('/apps/:app/log-drains/:drain', async (request) => {
    const found = requireApp(deps, request.params.app);
    return presentDrain(found, findDrain(deps, found, request.params.drain));
  });

  app.delete<{ Params: { app: string; drain: string } }>('/apps/:app/log-drains/:drain', async (request) => {
    const found = requireApp(deps, request.params.app);
    return presentDrain(found, removeDrain(deps, found, request.params.drain));
  });
}
