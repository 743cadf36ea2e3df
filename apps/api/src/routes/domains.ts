/** Domains (Heroku shape): the app's default <app>.<PAAS_DOMAIN> and custom host names. */
import { domainCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { requireApp } from '../core/apps.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { addDomain, listDomains, removeDomain } from '../store/domains.js';
import type { AppRow, DomainRow } from '../store/rows.js';
import { parseBody } from './parse.js';

export function domainRoutes(app: FastifyInstance, { db, config, orchestrator, log }: Deps): void {
  const present = (found: AppRow, d: DomainRow) => ({
    id: d.id,
    hostname: d.hostname,
    kind: 'custom',
    cname: `${found.name}.${config.PAAS_DOMAIN}`,
    status: 'succeeded',
    app: { id: found.id, name: found.name },
    created_at: d.created_at,
    updated_at: d.created_at,
  });
  const builtIn = (found: AppRow) => ({
    id: found.id,
    hostname: `${found.name}.${config.PAAS_DOMAIN}`,
    kind: 'heroku',
    cname: null,
    status: 'none',
    app: { id: found.id, name: found.name },
    created_at: found.created_at,
    updated_at: found.created_at,
  });

  app.get<{ Params: { app: string } }>('/apps/:app/domains', async (request) => {
    const found = requireApp(db, request.params.app);
    return [builtIn(found), ...listDomains(db, found.id).map((d) => present(found, d))];
  });

  app.post<{ Params: { app: string } }>('/apps/:app/domains', async (request, reply) => {
    const found = requireApp(db, request.params.app);
    const { hostname } = parseBody(domainCreateBody, request.body);
    const row = addDomain(db, found.id, hostname);
    log.info({ app: found.name, hostname }, 'domain added');
    orchestrator.poke();
    return reply.status(201).send(present(found, row));
  });

  app.delete<{ Params: { app: string; domain: string } }>('/apps/:app/domains/:domain', async (request) => {
    const found = requireApp(db, request.params.app);
    const row = removeDomain(db, found.id, request.params.domain);
    if (!row) throw notFound(`Couldn't find that domain: ${request.params.domain}.`);
    log.info({ app: found.name, hostname: row.hostname }, 'domain removed');
    orchestrator.poke();
    return present(found, row);
  });
}
