/**
 * Certificates for an app's custom domains (`paas certs:add`, Heroku's SNI endpoints), served
 * by the routers' TLS port by SNI. What is added is checked first, and refused with a 422 that
 * says why, changing nothing: the certificate must be PEM, the key must be a PEM private key
 * (not encrypted) that matches it, it must not have expired, and it must be for at least one
 * of the app's custom domains.
 */
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { invalid, notFound } from '../errors.js';
import {
  type CertRow,
  removeCert as deleteCert,
  addCert as insertCert,
  listCerts as storedCerts,
} from '../store/certs.js';
import { listDomains } from '../store/domains.js';
import type { AppRow } from '../store/rows.js';
import type { CoreDeps } from './context.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The names a certificate is for: its subjectAltName DNS names, else its subject's CN. */
function certDomains(x509: X509Certificate): string[] {
  const san = (x509.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  if (san.length) return san;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}

export interface CheckedCert {
  chain: string;
  key: string;
  x509: X509Certificate;
  domains: string[];
}

/** Checks a certificate (and chain) and its key for an app with these custom domains; throws a 422. */
export function checkCert(certPem: string, keyPem: string, hostnames: string[], at = new Date()): CheckedCert {
  const blocks = certPem.match(PEM_CERT) ?? [];
  if (!blocks.length) throw invalid('The certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----).');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(blocks[0] ?? '');
    for (const b of blocks.slice(1)) new X509Certificate(b);
  } catch (err) {
    throw invalid(`The certificate could not be read: ${(err as Error).message}.`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw invalid('The private key is not a PEM private key (an encrypted key is not supported: decrypt it first).');
  }
  if (!x509.checkPrivateKey(key)) throw invalid('The private key does not match the certificate.');
  if (new Date(x509.validTo).getTime() <= at.getTime())
    throw invalid(`The certificate expired on ${new Date(x509.validTo).toISOString()}.`);
  const domains = certDomains(x509);
  if (!hostnames.some((h) => x509.checkHost(h) !== undefined)) {
    const have = hostnames.length ? hostnames.join(', ') : 'none (add one with paas domains:add)';
    throw invalid(
      `The certificate is for ${domains.join(', ') || 'no host name'}, none of the app's custom domains: ${have}.`,
    );
  }
  const chain = `${blocks.join('\n')}\n`;
  return { chain, key: key.export({ type: 'pkcs8', format: 'pem' }).toString(), x509, domains };
}

export function listCerts(core: Pick<CoreDeps, 'db'>, app: AppRow): CertRow[] {
  return storedCerts(core.db, app.id);
}

/** Adds a certificate for the app's custom domains; the routers load it. */
export function addCert(
  core: Pick<CoreDeps, 'db' | 'log' | 'orchestrator'>,
  app: AppRow,
  certPem: string,
  keyPem: string,
): CertRow {
  const hostnames = listDomains(core.db, app.id).map((d) => d.hostname);
  const checked = checkCert(certPem, keyPem, hostnames);
  const id = randomUUID();
  const row = insertCert(core.db, {
    id,
    app_id: app.id,
    name: `sni-${id.slice(0, 8)}`,
    certificate_chain: checked.chain,
    private_key: checked.key,
    cert_domains: checked.domains,
    subject: checked.x509.subject.replaceAll('\n', ', '),
    issuer: checked.x509.issuer.replaceAll('\n', ', '),
    starts_at: new Date(checked.x509.validFrom).toISOString(),
    expires_at: new Date(checked.x509.validTo).toISOString(),
  });
  core.log.info({ app: app.name, cert: row.name, domains: row.cert_domains }, 'certificate added');
  core.orchestrator.poke();
  return row;
}

/** Removes a certificate (by name or id); the routers drop it. */
export function removeCert(
  core: Pick<CoreDeps, 'db' | 'log' | 'orchestrator'>,
  app: AppRow,
  nameOrId: string,
): CertRow {
  const row = deleteCert(core.db, app.id, nameOrId);
  if (!row) throw notFound(`Couldn't find that certificate: ${nameOrId}.`);
  core.log.info({ app: app.name, cert: row.name }, 'certificate removed');
  core.orchestrator.poke();
  return row;
}

/** Row types the routes present (routes import nothing from the store). */
export type { CertRow } from '../store/certs.js';
