import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';

export function accountRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/account', async (request) => ({ ...deps.presenter.account, email: request.actor.email }));
}
