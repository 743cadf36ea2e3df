/**
 * Certificates for custom domains, in Heroku's shape (SNI endpoints): `paas certs`,
 * `certs:add`, `certs:remove`. The private key is never sent back.
 */
import { X509Certificate } from 'node:crypto';
import { type SniEndpointResponse, sniEndpointCreateBody } from '@paas/shared';
import type { FastifyInstance } from 'fastify';
import { type AppRow, requireApp } from '../core/apps.js';
import { addCert, type CertRow, listCerts, removeCert } from '../core/certs.js';
import { listDomains } from '../core/domains.js';
import type { Deps } from '../deps.js';
import { parseBody } from './parse.js';

function present(app: AppRow, hostnames: string[], c: CertRow): SniEndpointResponse {
  const x509 = new X509Certificate(c.certificate_chain);
  return {
    id: c.id,
    name: c.name,
    certificate_chain: c.certificate_chain,
    app: { id: app.id, name: app.name },
    domains: hostnames.filter((h) => x509.checkHost(h) !== undefined),
    ssl_cert: {
      cert_domains: c.cert_domains,
      subject: c.subject,
      issuer: c.issuer,
      starts_at: c.starts_at,
      expires_at: c.expires_at,
    },
    created_at: c.created_at,
    updated_at: c.created_at,
  };
}

export function certRoutes(app: FastifyInstance, deps: Deps): void {
  const hostnames = (found: AppRow) => listDomains(deps, found).map((d) => d.hostname);

  app.get<{ Params: { app: string } }>('/apps/:app/sni-endpoints', async (request) => {
    const found = requireApp(deps, request.params.app);
    const names = hostnames(found);
    return listCerts(deps, found).map((c) => present(found, names, c));
  });

  app.post<{ Params: { app: string } }>('/apps/:app/sni-endpoints', async (request, reply) => {
    const found = requireApp(deps, request.params.app);
    const body = parseBody(sniEndpointCreateBody, request.body);
    const row = addCert(deps, found, body.certificate_chain, body.private_key);
    return reply.status(201).send(present(found, hostnames(found), row));
  });

  app.delete<{ Params: { app: string; cert: string } }>('/apps/:app/sni-endpoints/:cert', async (request) => {
    const found = requireApp(deps, request.params.app);
    return present(found, hostnames(found), removeCert(deps, found, request.params.cert));
  });
}
