/** A throwaway CA and a server certificate it signs (Debian's openssl), for fake TLS servers in tests. */
import fs from 'node:fs';
import path from 'node:path';
import { run, tempDir } from './env.js';

export interface TestCert {
  caFile: string;
  key: string;
  cert: string;
}

export async function testCertificate(hosts = ['127.0.0.1', 'localhost']): Promise<TestCert> {
  const dir = tempDir('paas-tls-');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ],
    { cwd: dir },
  );
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  await run('openssl', ['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=test'], {
    cwd: dir,
  });
  await run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
      '-out',
      'server.crt',
    ],
    { cwd: dir },
  );
  return {
    caFile: path.join(dir, 'ca.crt'),
    key: fs.readFileSync(path.join(dir, 'server.key'), 'utf8'),
    cert: fs.readFileSync(path.join(dir, 'server.crt'), 'utf8'),
  };
}
