import { formationBatchUpdate, formationUpdate } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { scaled } from '../core/events.js';
import { appFormation, scale } from '../core/formation.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentFormation } from '../present.js';
import type { Db } from '../store/db.js';
import type { AppRow } from '../store/rows.js';
import { parseBody } from './parse.js';

function formationOf(db: Db, app: AppRow) {
  const { rows, commands } = appFormation(db, app);
  return rows.map((row) => presentFormation(app, row, commands[row.type] ?? null));
}

export function formationRoutes(app: FastifyInstance, { db, log, orchestrator, logs }: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/formation', async (request) =>
    formationOf(db, requireApp(db, request.params.app)),
  );

  app.patch<{ Params: { app: string } }>('/apps/:app/formation', async (request) => {
    const found = requireApp(db, request.params.app);
    const { updates } = parseBody(formationBatchUpdate, request.body);
    scale(db, found, updates);
    log.info({ app: found.name, updates }, 'formation changed');
    scaled(logs, db, found, request.actor);
    orchestrator.poke();
    return formationOf(db, found);
  });

  app.get<{ Params: { app: string; type: string } }>('/apps/:app/formation/:type', async (request) => {
    const found = requireApp(db, request.params.app);
    const one = formationOf(db, found).find((f) => f.type === request.params.type || f.id === request.params.type);
    if (!one) throw notFound(`Couldn't find that process type (${request.params.type}).`);
    return one;
  });

  app.patch<{ Params: { app: string; type: string } }>('/apps/:app/formation/:type', async (request) => {
    const found = requireApp(db, request.params.app);
    const change = parseBody(formationUpdate, request.body);
    scale(db, found, [{ type: request.params.type, ...change }]);
    log.info({ app: found.name, type: request.params.type, ...change }, 'formation changed');
    scaled(logs, db, found, request.actor);
    orchestrator.poke();
    return formationOf(db, found).find((f) => f.type === request.params.type);
  });
}
