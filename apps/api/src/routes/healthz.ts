import type { FastifyInstance } from 'fastify';
import { checkHealth } from '../core/health.js';
import type { Deps } from '../deps.js';

export function healthRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/healthz', { config: { auth: false }, logLevel: 'warn' }, async (_request, reply) => {
    const { ok, checks } = await checkHealth(deps);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
}
