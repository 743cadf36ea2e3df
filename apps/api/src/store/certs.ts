/** Custom-domain certificates (SNI endpoints), with their private keys: the store is the api's only. */
import type { RouterCert } from '@paas/shared';
import { z } from 'zod';
import { type Db, now } from './db.js';

export const certRow = z.object({
  id: z.string(),
  app_id: z.string(),
  name: z.string(),
  certificate_chain: z.string(),
  private_key: z.string(),
  cert_domains: z.string().transform((s) => z.array(z.string()).parse(JSON.parse(s))),
  subject: z.string(),
  issuer: z.string(),
  starts_at: z.string(),
  expires_at: z.string(),
  created_at: z.string(),
});
export type CertRow = z.infer<typeof certRow>;
export type NewCert = Omit<CertRow, 'created_at'>;

const parse = (row: unknown) => certRow.parse(row);

export function listCerts(db: Db, appId?: string): CertRow[] {
  return (
    appId === undefined
      ? db.prepare(`SELECT * FROM certs ORDER BY created_at, name`).all()
      : db.prepare(`SELECT * FROM certs WHERE app_id = ? ORDER BY created_at, name`).all(appId)
  ).map(parse);
}

export function addCert(db: Db, cert: NewCert): CertRow {
  const row = { ...cert, created_at: now() };
  db.prepare(
    `INSERT INTO certs (id, app_id, name, certificate_chain, private_key, cert_domains, subject, issuer, starts_at, expires_at, created_at)
     VALUES (@id, @app_id, @name, @certificate_chain, @private_key, @cert_domains, @subject, @issuer, @starts_at, @expires_at, @created_at)`,
  ).run({ ...row, cert_domains: JSON.stringify(row.cert_domains) });
  return row;
}

export function removeCert(db: Db, appId: string, nameOrId: string): CertRow | undefined {
  const found = db
    .prepare(`SELECT * FROM certs WHERE app_id = ? AND (name = ? OR id = ?)`)
    .get(appId, nameOrId, nameOrId);
  if (found === undefined) return undefined;
  const row = parse(found);
  db.prepare(`DELETE FROM certs WHERE id = ?`).run(row.id);
  return row;
}

export function removeAppCerts(db: Db, appId: string): void {
  db.prepare(`DELETE FROM certs WHERE app_id = ?`).run(appId);
}

/** What every router serves on its TLS port: the platform's default certificate, then the apps'. */
export function routerCerts(db: Db, defaultPem: string | undefined): RouterCert[] {
  const certs = defaultPem ? [{ name: 'default', pem: defaultPem }] : [];
  for (const c of listCerts(db)) certs.push({ name: c.name, pem: `${c.certificate_chain}${c.private_key}` });
  return certs;
}
