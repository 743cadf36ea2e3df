/** Custom domains: host names the router sends to an app, besides <app>.<PAAS_DOMAIN>. */
import { invalid, notFound } from '../errors.js';
import {
  removeDomain as deleteDomain,
  addDomain as insertDomain,
  listDomains as storedDomains,
} from '../store/domains.js';
import type { AppRow, DomainRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';

export function listDomains(core: Pick<CoreDeps, 'db'>, app: AppRow): DomainRow[] {
  return storedDomains(core.db, app.id);
}

/**
 * Adds a host name (already lower case); one another app has is a conflict. One under the
 * platform's own domain (`platformDomain`) is refused: those are the apps' default hosts
 * (`<app>.<PAAS_DOMAIN>`), another app's included, and the platform's to give. The routes follow.
 */
export function addDomain(
  core: Pick<CoreDeps, 'db' | 'log' | 'orchestrator'>,
  app: AppRow,
  hostname: string,
  platformDomain: string,
): DomainRow {
  const domain = platformDomain.toLowerCase();
  if (hostname === domain || hostname.endsWith(`.${domain}`)) {
    throw invalid(
      `${hostname} is under the platform's domain ${domain}: apps get <app>.${domain} by themselves, and a custom domain must be outside it.`,
    );
  }
  const row = insertDomain(core.db, app.id, hostname);
  core.log.info({ app: app.name, hostname }, 'domain added');
  core.orchestrator.poke();
  return row;
}

/** Removes a host name (or a domain by id). The routes follow. */
export function removeDomain(
  core: Pick<CoreDeps, 'db' | 'log' | 'orchestrator'>,
  app: AppRow,
  hostnameOrId: string,
): DomainRow {
  const row = deleteDomain(core.db, app.id, hostnameOrId);
  if (!row) throw notFound(`Couldn't find that domain: ${hostnameOrId}.`);
  core.log.info({ app: app.name, hostname: row.hostname }, 'domain removed');
  core.orchestrator.poke();
  return row;
}
