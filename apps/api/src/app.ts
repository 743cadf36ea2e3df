/**
 * buildApp(deps): the api as a Fastify instance, plugins in a fixed order — error shapes and
 * body parsers, then auth, then the routes by resource. main.ts listens; tests inject.
 */

import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Actor } from './core/releases.js';
import type { Deps } from './deps.js';
import { ERROR_STATUS, PaasError } from './errors.js';
import { RedactingLogController } from './request-log.js';
import { accountRoutes } from './routes/account.js';
import { addonRoutes } from './routes/addons.js';
import { appRoutes } from './routes/apps.js';
import { authenticate } from './routes/auth.js';
import { buildRoutes } from './routes/builds.js';
import { certRoutes } from './routes/certs.js';
import { compatRoutes } from './routes/compat.js';
import { configVarRoutes } from './routes/config-vars.js';
import { domainRoutes } from './routes/domains.js';
import { drainRoutes } from './routes/drains.js';
import { dynoRoutes } from './routes/dynos.js';
import { formationRoutes } from './routes/formation.js';
import { gitRoutes } from './routes/git.js';
import { healthRoutes } from './routes/healthz.js';
import { logRoutes } from './routes/logs.js';
import { pgBackupRoutes } from './routes/pg-backups.js';
import { rangeHook } from './routes/range.js';
import { releaseRoutes } from './routes/releases.js';
import { rendezvousRoutes } from './routes/rendezvous.js';

export type { Deps } from './deps.js';

const statusIds = new Map<number, string>(Object.entries(ERROR_STATUS).map(([id, status]) => [status, id]));

export function buildApp(deps: Deps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Request lines without the tokens some URLs carry (request-log.ts).
    logController: new RedactingLogController(),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });

  // An empty JSON body is an empty object (Heroku clients send none on some POSTs).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(null, {});
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new PaasError('bad_request', 'Request body is not valid JSON.'), undefined);
    }
  });

  app.setErrorHandler((err: FastifyError | PaasError, request, reply) => {
    if (err instanceof PaasError) {
      const resource = err.resource ? { resource: err.resource } : {};
      return reply.status(err.status).send({ id: err.code, message: err.message, ...resource });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'request failed');
    const id = statusIds.get(status) ?? (status === 500 ? 'internal_server_error' : 'bad_request');
    return reply.status(status).send({ id, message: status === 500 ? 'Internal server error.' : err.message });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ id: 'not_found', message: `Not found: ${request.method} ${request.url.split('?')[0]}` });
  });

  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const mode = request.routeOptions.config.auth;
    if (mode === false || request.is404) return;
    const actor = authenticate(deps, request.headers.authorization);
    if (actor) {
      request.actor = actor;
      return;
    }
    if (mode === 'git') {
      return reply
        .status(401)
        .header('www-authenticate', 'Basic realm="paas"')
        .type('text/plain')
        .send('Invalid credentials provided: use your paas API token as the password (run `paas login`).\n');
    }
    throw new PaasError('unauthorized', 'Invalid credentials provided.');
  });

  // A refused WebSocket upgrade (a bad token above, no such route…): @fastify/websocket's own
  // clean-up hook runs after the one above, so not when it threw. Its socket is no connection
  // the HTTP server ends (half-open, it would hold app.close() up): closed once answered.
  app.addHook('onResponse', async (request) => {
    if (request.raw.headers.upgrade?.toLowerCase() === 'websocket') request.raw.socket.destroy();
  });
  app.addHook('preSerialization', rangeHook);
  app.register(websocket, { options: { maxPayload: 16 * 1024 * 1024 } });
  app.register(async (scope) => healthRoutes(scope, deps));
  app.register(async (scope) => dynoRoutes(scope, deps));
  app.register(async (scope) => rendezvousRoutes(scope, deps));
  app.register(async (scope) => domainRoutes(scope, deps));
  app.register(async (scope) => addonRoutes(scope, deps));
  app.register(async (scope) => pgBackupRoutes(scope, deps));
  app.register(async (scope) => certRoutes(scope, deps));
  app.register(async (scope) => logRoutes(scope, deps));
  app.register(async (scope) => drainRoutes(scope, deps));
  app.register(async (scope) => compatRoutes(scope, deps));
  app.register(async (scope) => accountRoutes(scope, deps));
  app.register(async (scope) => appRoutes(scope, deps));
  app.register(async (scope) => configVarRoutes(scope, deps));
  app.register(async (scope) => releaseRoutes(scope, deps));
  app.register(async (scope) => buildRoutes(scope, deps));
  app.register(async (scope) => formationRoutes(scope, deps));
  app.register(async (scope) => gitRoutes(scope, deps));
  return app;
}
