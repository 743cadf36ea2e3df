/** Domains (Heroku shape): the app's default <app>.<PAAS_DOMAIN> and custom host names. */
import { domainCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import { addDomain, listDomains, removeDomain } from '../core/domains.js';
import type { Deps } from '../deps.js';
import { presentBuiltInDomain, presentDomain } from '../present.js';
import { parseBody } from './parse.js';

export function domainRoutes(app: FastifyInstance, deps: Deps): void {
  const { presenter } = deps;
  app.get<{ Params: { app: string } }>('/apps/:app/domains', async (request) => {
    const found = requireApp(deps, request.params.app);
    return [
      presentBuiltInDomain(presenter, found),
      ...listDomains(deps, found).map((d) => presentDomain(presenter, found, d)),
    ];
  });

  app.post<{ Params: { app: string } }>('/apps/:app/domains', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const { hostname } = parseBody(domainCreateBody, request.body);
    return reply
      .status(201)
      .send(presentDomain(presenter, found, addDomain(deps, found, hostname, deps.config.PAAS_DOMAIN)));
  });

  app.delete<{ Params: { app: string; domain: string } }>('/apps/:app/domains/:domain', async (request) => {
    const found = requireApp(deps, request.params.app);
    return presentDomain(presenter, found, removeDomain(deps, found, request.params.domain));
  });
}
