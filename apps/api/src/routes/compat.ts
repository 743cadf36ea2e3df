/**
 * What the Heroku CLI asks about that paas has no such thing for: answered in Heroku's shapes,
 * empty, so that unmodified clients work (collaborators, pipeline).
 */
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';

export function compatRoutes(app: FastifyInstance, deps: Deps): void {
  app.get<{ Params: { app: string } }>('/apps/:app/collaborators', async (request) => {
    requireApp(deps, request.params.app);
    return [];
  });
  app.get<{ Params: { app: string } }>('/apps/:app/pipeline-couplings', async (request) => {
    requireApp(deps, request.params.app);
    throw notFound('This app is not in a pipeline.');
  });
}
