import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';

export function healthRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/healthz', { config: { auth: false }, logLevel: 'warn' }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    try {
      deps.db.prepare('SELECT 1').get();
      checks.store = 'ok';
    } catch (err) {
      checks.store = `error: ${(err as Error).message}`;
    }
    try {
      await Promise.race([
        deps.docker.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref()),
      ]);
      checks.docker = 'ok';
    } catch (err) {
      checks.docker = `error: ${(err as Error).message}`;
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
}
