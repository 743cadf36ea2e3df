/**
 * HTTPS on the router's TLS port: the platform CA's certificate for *.<PAAS_DOMAIN>, and an
 * app's custom domain served with its own certificate by SNI (`paas certs:add`), loaded into
 * the running HAProxy without a reload. Bad certificates and keys are refused, changing nothing.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { deployRouted, eventually, freePort, loggedInHome, routerGet, startPlatform, tempDir } from '@paas/testkit';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const DOMAIN = 'paas.localhost';
const SERVER = `require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ dyno: process.env.DYNO, headers: req.headers }));
}).listen(process.env.PORT);
`;

interface Answer {
  status: number;
  body: string;
  /** The subject of the certificate the router presented. */
  subject: string;
  fingerprint: string;
}

/** GET https://<name>:<port>/ at 127.0.0.1, trusting only `ca`; rejects if the certificate does not verify. */
function tlsGet(port: number, name: string, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: name, headers: { host: name }, ca, path: '/', agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        const cert = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            subject: String(cert.subject?.CN ?? ''),
            fingerprint: cert.fingerprint256,
          }),
        );
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** A CA of the test's own and a certificate it signs for `names` (expired: valid until yesterday). */
async function makeCert(dir: string, names: string[], expired = false) {
  fs.mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const o = (args: string[]) => run('openssl', args, { cwd: dir });
  await o(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test CA']);
  await o(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`]);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
  const days = ['-days', expired ? '-1' : '2']; // -1: it ended yesterday
  const sign = ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '1'];
  await o([...sign, ...days, '-extfile', 'ext.cnf', '-out', 'server.crt']);
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

it('serves apps over HTTPS with the platform certificate and custom domains by SNI', async () => {
  const platform = await startPlatform({ env: { PAAS_DOMAIN: DOMAIN } });
  try {
    const tlsPort = await freePort();
    const agent = await platform.startAgent('agent-1', { PAAS_ROUTER_TLS_PORT: String(tlsPort) });
    const home = await loggedInHome(platform);
    const { app, host, cli } = await deployRouted(home, agent, 'tls', { 'server.js': SERVER }, 30_000, DOMAIN);
    const platformCa = fs.readFileSync(platform.caFile, 'utf8');

    // The default certificate: *.<PAAS_DOMAIN>, signed by the platform CA; curl trusts it with --cacert.
    const first = await eventually(() => tlsGet(tlsPort, host, platformCa).catch(() => undefined), 20_000, 'HTTPS');
    expect(first.status).toBe(200);
    expect(first.subject).toBe('paas-router');
    const headers = JSON.parse(first.body).headers as Record<string, string>;
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers['x-forwarded-port']).toBe(String(tlsPort));
    const curl = await run('curl', [
      '-sS',
      '--cacert',
      platform.caFile,
      '--resolve',
      `${host}:${tlsPort}:127.0.0.1`,
      `https://${host}:${tlsPort}/`,
    ]);
    expect(JSON.parse(curl.stdout).headers['x-forwarded-proto']).toBe('https');
    await eventually(
      async () => / status=200 bytes=\d+ protocol=https/.test((await cli('logs', '-p', 'router', '-n', '200')).stdout),
      10_000,
      'router line with protocol=https',
    );
    // Plain HTTP is still http.
    const plain = await routerGet(agent.routerPort, host);
    expect(JSON.parse(plain.text).headers['x-forwarded-proto']).toBe('http');

    // A custom domain with its own certificate, by SNI.
    const custom = `www.${app}.example.com`;
    const dir = tempDir('tls-certs-');
    const good = await makeCert(path.join(dir, 'good'), [custom]);
    const other = await makeCert(path.join(dir, 'other'), [custom]);
    const expired = await makeCert(path.join(dir, 'expired'), [custom], true);
    const elsewhere = await makeCert(path.join(dir, 'elsewhere'), ['www.not-this-app.example.com']);
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'hello\n');
    const customCa = fs.readFileSync(good.ca, 'utf8');

    expect((await cli('domains:add', custom)).code).toBe(0);
    // Before its certificate: the default one is served (and does not verify against the custom CA).
    await eventually(
      async () => (await tlsGet(tlsPort, custom, platformCa).catch(() => undefined)) === undefined,
      10_000,
    );

    // Refused, each with its reason, and nothing changes.
    const refusals: [string[], RegExp][] = [
      [[notPem, good.key], /The certificate is not a PEM certificate/],
      [[good.cert, notPem], /The private key is not a PEM private key/],
      [[good.cert, other.key], /The private key does not match the certificate/],
      [[expired.cert, expired.key], /The certificate expired on \d{4}-\d\d-\d\dT/],
      [[elsewhere.cert, elsewhere.key], /none of the app's custom domains: www\.tls-/],
      [[path.join(dir, 'missing.crt'), good.key], /could not read the certificate/],
    ];
    for (const [args, message] of refusals) {
      const r = await cli('certs:add', ...args);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect((await cli('certs')).stdout).toContain('has no certificates');
    const refused = await platform.api('POST', `/apps/${app}/sni-endpoints`, {
      certificate_chain: fs.readFileSync(good.cert, 'utf8'),
      private_key: fs.readFileSync(other.key, 'utf8'),
    });
    expect(refused.status).toBe(422);

    const reloadsBefore = (agent.logs().match(/HAProxy reloaded/g) ?? []).length;
    const added = await cli('certs:add', good.cert, good.key);
    expect(added.code, added.stderr).toBe(0);
    const name = /^(sni-[0-9a-f]{8}):/m.exec(added.stdout)?.[1] ?? '';
    expect(name).not.toBe('');
    const listed = await cli('certs');
    expect(listed.stdout).toContain(name);
    expect(listed.stdout).toContain(custom);
    const served = await eventually(() => tlsGet(tlsPort, custom, customCa).catch(() => undefined), 20_000, 'SNI');
    expect(served.status).toBe(200);
    expect(served.subject).toBe(custom);
    expect(JSON.parse(served.body).headers['x-forwarded-proto']).toBe('https');
    // Loaded at runtime: no reload for it. The default certificate is still served for the app's own host.
    expect((agent.logs().match(/HAProxy reloaded/g) ?? []).length).toBe(reloadsBefore);
    expect((await tlsGet(tlsPort, host, platformCa)).subject).toBe('paas-router');
    expect(agent.logs()).not.toMatch(/refused a command/);
    const certFile = path.join(platform.dataDir, 'agents', 'agent-1', 'haproxy', 'certs', `${name}.pem`);
    expect(fs.statSync(certFile).mode & 0o777).toBe(0o600);

    // A restarted agent adopts the same HAProxy, which goes on serving both certificates.
    const master = agent.haproxyPid();
    await agent.stop('SIGKILL');
    expect((await tlsGet(tlsPort, custom, customCa)).subject).toBe(custom);
    const again = await platform.startAgent('agent-1', { PAAS_ROUTER_TLS_PORT: String(tlsPort) });
    await eventually(async () => /how":"adopted"/.test(again.logs()), 20_000, 'adopted');
    expect(again.haproxyPid()).toBe(master);
    expect((await tlsGet(tlsPort, custom, customCa)).subject).toBe(custom);
    const served1 = await tlsGet(tlsPort, host, platformCa);
    expect(served1.status).toBe(200);
    // The api keeps the routers' certificate across its restarts (tls/router.crt): the same one is served.
    await platform.restart();
    await eventually(async () => /agent connected/.test(platform.logs()), 20_000, 'agent back');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await tlsGet(tlsPort, host, platformCa)).fingerprint).toBe(served1.fingerprint);
    expect((await tlsGet(tlsPort, custom, customCa)).subject).toBe(custom);

    expect((await cli('certs:remove', name)).code).toBe(0);
    await eventually(
      async () => (await tlsGet(tlsPort, custom, customCa).catch(() => undefined)) === undefined,
      20_000,
    );
    expect((await tlsGet(tlsPort, custom, platformCa).catch((e: Error) => e.message)).toString()).toMatch(
      /altnames|certificate/i,
    );
    expect(fs.existsSync(certFile)).toBe(false);
    expect(again.logs()).not.toMatch(/refused a command/);
    expect((await cli('certs')).stdout).toContain('has no certificates');
  } finally {
    await platform.removeContainers();
    await platform.stop();
  }
});
