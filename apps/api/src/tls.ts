/**
 * The platform's own certificate authority and the certificates it signs, made with Debian's
 * `openssl` (spawned with an argument vector, never a shell). The CA is made on the first start
 * (`$PAAS_DATA_DIR/tls/ca.crt`, its key `ca.key` readable by the api only) and kept: clients
 * trust it with `NODE_EXTRA_CA_CERTS` / `--cacert`. Server certificates (the one-off
 * rendezvous service's, the agent channel's) are kept and made again when a name is missing.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { minimalEnv } from './config.js';

const run = promisify(execFile);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

const openssl = (args: string[], cwd: string) => run('openssl', args, { cwd, env: minimalEnv() });

export interface Ca {
  dir: string;
  certFile: string;
  keyFile: string;
}

/** The platform CA under `<dataDir>/tls`, made now if it is not there yet. */
export async function ensureCa(dataDir: string, platformId: string): Promise<Ca> {
  const dir = path.join(dataDir, 'tls');
  const ca = { dir, certFile: path.join(dir, 'ca.crt'), keyFile: path.join(dir, 'ca.key') };
  if (fs.existsSync(ca.certFile) && fs.existsSync(ca.keyFile)) return ca;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = fs.mkdtempSync(path.join(dir, 'new-ca-'));
  try {
    await openssl(
      [
        'req',
        '-x509',
        ...EC,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '3650',
        '-subj',
        `/O=paas/CN=paas platform CA ${platformId}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE,pathlen:0',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      tmp,
    );
    fs.chmodSync(path.join(tmp, 'ca.key'), 0o600);
    // The key first: a CA certificate without its key would never be replaced.
    fs.renameSync(path.join(tmp, 'ca.key'), ca.keyFile);
    fs.renameSync(path.join(tmp, 'ca.crt'), ca.certFile);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return ca;
}

/** A server key and certificate signed by the CA, for these host names and IP addresses. */
export async function issueServerCert(ca: Ca, name: string, hosts: string[]): Promise<{ key: string; cert: string }> {
  const tmp = fs.mkdtempSync(path.join(ca.dir, `${name}-`));
  try {
    const unique = [...new Set(hosts.filter(Boolean))];
    const san = unique.map((h) => (net.isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    fs.writeFileSync(
      path.join(tmp, 'ext.cnf'),
      `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
    );
    await openssl(
      ['req', '-new', ...EC, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/O=paas/CN=${name}`],
      tmp,
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        ca.certFile,
        '-CAkey',
        ca.keyFile,
        '-set_serial',
        `0x${Date.now().toString(16)}${Math.floor(Math.random() * 1e6).toString(16)}`,
        '-days',
        '397',
        '-extfile',
        'ext.cnf',
        '-out',
        'server.crt',
      ],
      tmp,
    );
    return {
      key: fs.readFileSync(path.join(tmp, 'server.key'), 'utf8'),
      cert: fs.readFileSync(path.join(tmp, 'server.crt'), 'utf8'),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A server certificate kept under the CA's directory (`<name>.crt`, `<name>.key`) and made
 * again only when it is missing, not this CA's, lacks one of `hosts`, or ends within 30 days:
 * the api's start does not wait on openssl each time (the agent channel's, the rendezvous').
 */
export async function keptServerCert(ca: Ca, name: string, hosts: string[]): Promise<{ key: string; cert: string }> {
  const certFile = path.join(ca.dir, `${name}.crt`);
  const keyFile = path.join(ca.dir, `${name}.key`);
  try {
    const cert = fs.readFileSync(certFile, 'utf8');
    const key = fs.readFileSync(keyFile, 'utf8');
    const x509 = new X509Certificate(cert);
    const fresh = new Date(x509.validTo).getTime() > Date.now() + 30 * 86_400_000;
    const ours = x509.verify(new X509Certificate(fs.readFileSync(ca.certFile)).publicKey);
    const covers = hosts.filter(Boolean).every((h) => (net.isIP(h) ? x509.checkIP(h) : x509.checkHost(h)));
    if (fresh && ours && covers) return { key, cert };
  } catch {}
  const made = await issueServerCert(ca, name, hosts);
  fs.writeFileSync(`${keyFile}.tmp`, made.key, { mode: 0o600 });
  fs.renameSync(`${keyFile}.tmp`, keyFile);
  fs.writeFileSync(`${certFile}.tmp`, made.cert);
  fs.renameSync(`${certFile}.tmp`, certFile);
  return made;
}

/**
 * The routers' default certificate, for `*.<domain>` and `<domain>`: kept under the CA's
 * directory (`router.crt`, `router.key`) and made again only when it is missing, for another
 * domain, not this CA's, or within 30 days of its end. Returns the certificate then the key, PEM.
 */
export async function routerCert(ca: Ca, domain: string): Promise<string> {
  const certFile = path.join(ca.dir, 'router.crt');
  const keyFile = path.join(ca.dir, 'router.key');
  try {
    const cert = fs.readFileSync(certFile, 'utf8');
    const key = fs.readFileSync(keyFile, 'utf8');
    const x509 = new X509Certificate(cert);
    const fresh = new Date(x509.validTo).getTime() > Date.now() + 30 * 86_400_000;
    const ours = x509.verify(new X509Certificate(fs.readFileSync(ca.certFile)).publicKey);
    if (fresh && ours && x509.checkHost(`x.${domain}`) && x509.checkHost(domain))
      return `${cert.trim()}\n${key.trim()}\n`;
  } catch {}
  const { key, cert } = await issueServerCert(ca, 'paas-router', [`*.${domain}`, domain]);
  fs.writeFileSync(`${keyFile}.tmp`, key, { mode: 0o600 });
  fs.renameSync(`${keyFile}.tmp`, keyFile);
  fs.writeFileSync(`${certFile}.tmp`, cert);
  fs.renameSync(`${certFile}.tmp`, certFile);
  return `${cert.trim()}\n${key.trim()}\n`;
}
