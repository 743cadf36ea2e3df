/** Dynos (Heroku's name for processes): list, restart, stop. */
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { restarted, stopped } from '../core/events.js';
import type { Dyno } from '../core/orchestrator.js';
import type { Actor } from '../core/releases.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import type { AppRow } from '../store/rows.js';

function presentDyno(app: AppRow, d: Dyno, size: string) {
  return {
    id: d.containerId ?? d.key,
    name: d.name,
    type: d.type,
    state: d.state,
    command: d.command ?? '(image CMD)',
    size,
    attach_url: null,
    app: { id: app.id, name: app.name },
    release: d.release,
    created_at: d.since,
    updated_at: d.since,
    // paas
    agent: d.agent,
    exit_code: d.exitCode,
    restarts: d.restarts,
    endpoint: d.endpoint,
  };
}

export function dynoRoutes(app: FastifyInstance, { db, orchestrator, log, logs }: Deps): void {
  const listOf = (found: AppRow) => orchestrator.dynos(found).map((d) => presentDyno(found, d, 'Basic'));

  /** A process name (web.2) or type (web) of the app's current release. */
  const checkScope = (found: AppRow, scope: string) => {
    const types = orchestrator.processTypes(found);
    const type = scope.split('.')[0] ?? '';
    if (!types.has(type) || (scope.includes('.') && !/^[^.]+\.\d+$/.test(scope))) {
      throw notFound(
        `Couldn't find that process: ${scope}. This app has: ${[...types].join(', ') || 'no process types'}.`,
      );
    }
  };

  app.get<{ Params: { app: string } }>('/apps/:app/dynos', async (request) =>
    listOf(requireApp(db, request.params.app)),
  );

  app.get<{ Params: { app: string; dyno: string } }>('/apps/:app/dynos/:dyno', async (request) => {
    const found = requireApp(db, request.params.app);
    const dyno = listOf(found).find((d) => d.name === request.params.dyno || d.id === request.params.dyno);
    if (!dyno) throw notFound("Couldn't find that dyno.");
    return dyno;
  });

  const restart = (found: AppRow, scope: string, actor: Actor) => {
    if (scope) checkScope(found, scope);
    orchestrator.restart(found, scope);
    restarted(logs, found, scope, actor);
    log.info({ app: found.name, scope: scope || 'all' }, 'restart requested');
    return {};
  };
  app.delete<{ Params: { app: string } }>('/apps/:app/dynos', async (request, reply) =>
    reply.status(202).send(restart(requireApp(db, request.params.app), '', request.actor)),
  );
  app.delete<{ Params: { app: string; dyno: string } }>('/apps/:app/dynos/:dyno', async (request, reply) =>
    reply.status(202).send(restart(requireApp(db, request.params.app), request.params.dyno, request.actor)),
  );
  app.delete<{ Params: { app: string; type: string } }>('/apps/:app/formations/:type', async (request, reply) =>
    reply.status(202).send(restart(requireApp(db, request.params.app), request.params.type, request.actor)),
  );

  const stop = (found: AppRow, scope: string, actor: Actor) => {
    checkScope(found, scope);
    const count = orchestrator.stop(found, scope);
    stopped(logs, found, scope, actor);
    log.info({ app: found.name, scope, count }, 'stop requested');
    return {};
  };
  app.post<{ Params: { app: string; dyno: string } }>('/apps/:app/dynos/:dyno/actions/stop', async (request, reply) =>
    reply.status(202).send(stop(requireApp(db, request.params.app), request.params.dyno, request.actor)),
  );
  app.post<{ Params: { app: string; type: string } }>(
    '/apps/:app/formations/:type/actions/stop',
    async (request, reply) =>
      reply.status(202).send(stop(requireApp(db, request.params.app), request.params.type, request.actor)),
  );
}
