import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { describe, expect, it } from 'vitest';
import { checkCert } from './certs.js';

/** A self-signed certificate for these names (valid 2 days) and its key. */
function make(names: string[]) {
  const dir = tempDir('paas-cert-');
  const san = `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`;
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const args = ['req', '-x509', ...ec, '-keyout', 'k', '-out', 'c', '-days', '2', '-subj', `/CN=${names[0]}`];
  execFileSync('openssl', [...args, '-addext', san], { cwd: dir, stdio: 'ignore' });
  return { cert: fs.readFileSync(path.join(dir, 'c'), 'utf8'), key: fs.readFileSync(path.join(dir, 'k'), 'utf8') };
}

describe('certificates for custom domains', () => {
  const good = make(['www.example.com', '*.shop.example.com']);
  const other = make(['www.example.com']);

  it("takes a certificate for one of the app's domains, wildcards included", () => {
    const ok = checkCert(good.cert, good.key, ['a.shop.example.com']);
    expect(ok.domains).toEqual(['www.example.com', '*.shop.example.com']);
    expect(checkCert(good.cert, good.key, ['www.example.com', 'x.io']).chain).toContain('BEGIN CERTIFICATE');
  });

  it('refuses, saying why', () => {
    expect(() => checkCert('nope', good.key, ['www.example.com'])).toThrow(/not a PEM certificate/);
    expect(() => checkCert(good.cert, 'nope', ['www.example.com'])).toThrow(/not a PEM private key/);
    expect(() => checkCert(good.cert, other.key, ['www.example.com'])).toThrow(/does not match/);
    expect(() => checkCert(good.cert, good.key, ['b.example.com'])).toThrow(
      /none of the app's custom domains: b\.example\.com/,
    );
    expect(() => checkCert(good.cert, good.key, [])).toThrow(/add one with paas domains:add/);
    expect(() => checkCert(good.cert, good.key, ['www.example.com'], new Date(Date.now() + 5 * 86_400_000))).toThrow(
      /expired on/,
    );
  });
});
