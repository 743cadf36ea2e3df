/** Dynos (Heroku's name for processes): list, restart, stop. Restart and stop answer 202 with {}. */
import { dynoCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { findDyno, listDynos, restart, stop } from '../core/dynos.js';
import { runOneOff } from '../core/one-offs.js';
import type { Actor } from '../core/releases.js';
import type { Deps } from '../deps.js';
import { presentDyno, presentOneOff } from '../present.js';
import { parseBody } from './parse.js';

export function dynoRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/dynos', async (request) => {
    const found = requireApp(deps, request.params.app);
    return listDynos(deps, found).map((d) => presentDyno(found, d));
  });

  app.get<{ Params: { app: string; dyno: string } }>('/apps/:app/dynos/:dyno', async (request) => {
    const found = requireApp(deps, request.params.app);
    return presentDyno(found, findDyno(deps, found, request.params.dyno));
  });

  /** A one-off (`paas run`, `heroku run`): 201 with the dyno, and attach_url when attached. */
  app.post<{ Params: { app: string } }>('/apps/:app/dynos', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(dynoCreateBody, request.body);
    const { config } = deps;
    const started = runOneOff(deps, found, body, request.actor, config.PAAS_RUN_TIMEOUT);
    const host = config.PAAS_RENDEZVOUS_HOST ?? request.hostname;
    const url = started.secret ? `rendezvous://${host}:${config.PAAS_RENDEZVOUS_PORT}/${started.secret}` : null;
    return reply.status(201).send(presentOneOff(found, started, url));
  });

  /** The whole app (scope ''), a type (web) or one process (web.2). */
  const restartScope = (appName: string, scope: string, actor: Actor) => {
    restart(deps, requireApp(deps, appName), scope, actor);
    return {};
  };
  app.delete<{ Params: { app: string } }>('/apps/:app/dynos', async (request, reply) =>
    reply.status(202).send(restartScope(request.params.app, '', request.actor)),
  );
  app.delete<{ Params: { app: string; dyno: string } }>('/apps/:app/dynos/:dyno', async (request, reply) =>
    reply.status(202).send(restartScope(request.params.app, request.params.dyno, request.actor)),
  );
  app.delete<{ Params: { app: string; type: string } }>('/apps/:app/formations/:type', async (request, reply) =>
    reply.status(202).send(restartScope(request.params.app, request.params.type, request.actor)),
  );

  const stopScope = (appName: string, scope: string, actor: Actor) => {
    stop(deps, requireApp(deps, appName), scope, actor);
    return {};
  };
  app.post<{ Params: { app: string; dyno: string } }>('/apps/:app/dynos/:dyno/actions/stop', async (request, reply) =>
    reply.status(202).send(stopScope(request.params.app, request.params.dyno, request.actor)),
  );
  app.post<{ Params: { app: string; type: string } }>(
    '/apps/:app/formations/:type/actions/stop',
    async (request, reply) => reply.status(202).send(stopScope(request.params.app, request.params.type, request.actor)),
  );
}
