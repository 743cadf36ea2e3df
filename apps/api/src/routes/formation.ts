import { formationBatchUpdate, formationUpdate } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { appFormation, scale } from '../core/formation.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { presentFormationList } from '../present.js';
import { parseBody } from './parse.js';

export function formationRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/formation', async (request) => {
    const found = requireApp(deps, request.params.app);
    return presentFormationList(found, appFormation(deps, found));
  });

  app.patch<{ Params: { app: string } }>('/apps/:app/formation', async (request) => {
    const found = requireApp(deps, request.params.app);
    const { updates } = parseBody(formationBatchUpdate, request.body);
    return presentFormationList(found, scale(deps, found, updates, request.actor));
  });

  app.get<{ Params: { app: string; type: string } }>('/apps/:app/formation/:type', async (request) => {
    const found = requireApp(deps, request.params.app);
    const { type } = request.params;
    const one = presentFormationList(found, appFormation(deps, found)).find((f) => f.type === type || f.id === type);
    if (!one) throw notFound(`Couldn't find that process type (${type}).`);
    return one;
  });

  app.patch<{ Params: { app: string; type: string } }>('/apps/:app/formation/:type', async (request) => {
    const found = requireApp(deps, request.params.app);
    const { type } = request.params;
    const change = parseBody(formationUpdate, request.body);
    const after = scale(deps, found, [{ type, ...change }], request.actor);
    return presentFormationList(found, after).find((f) => f.type === type);
  });
}
