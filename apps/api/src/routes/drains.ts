/** Log drains (Heroku's shape): where else an app's log lines go. */
import { drainCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { addDrain, findDrain, listDrains, removeDrain } from '../store/drains.js';
import type { AppRow, DrainRow } from '../store/rows.js';
import { parseBody } from './parse.js';

const present = (app: AppRow, d: DrainRow) => ({
  id: d.id,
  url: d.url,
  token: d.token,
  addon: null,
  app: { id: app.id, name: app.name },
  created_at: d.created_at,
  updated_at: d.updated_at,
});

export function drainRoutes(app: FastifyInstance, { db, drains, log }: Deps): void {
  const drainOf = (found: AppRow, idOrUrl: string) => {
    const drain = findDrain(db, found.id, idOrUrl);
    if (!drain) throw notFound(`${idOrUrl} is not a drain of ${found.name}.`);
    return drain;
  };

  app.get<{ Params: { app: string } }>('/apps/:app/log-drains', async (request) => {
    const found = requireApp(db, request.params.app);
    return listDrains(db, found.id).map((d) => present(found, d));
  });

  app.post<{ Params: { app: string } }>('/apps/:app/log-drains', async (request, reply) => {
    const found = requireApp(db, request.params.app);
    const { url } = parseBody(drainCreateBody, request.body);
    const drain = addDrain(db, found.id, url);
    drains.added(drain, { id: found.id, name: found.name });
    log.info({ app: found.name, drain: drain.id }, 'drain added');
    return reply.status(201).send(present(found, drain));
  });

  app.get<{ Params: { app: string; drain: string } }>('/apps/:app/log-drains/:drain', async (request) => {
    const found = requireApp(db, request.params.app);
    return present(found, drainOf(found, request.params.drain));
  });

  app.delete<{ Params: { app: string; drain: string } }>('/apps/:app/log-drains/:drain', async (request) => {
    const found = requireApp(db, request.params.app);
    const drain = drainOf(found, request.params.drain);
    removeDrain(db, drain.id);
    drains.removed(drain.id);
    log.info({ app: found.name, drain: drain.id }, 'drain removed');
    return present(found, drain);
  });
}
