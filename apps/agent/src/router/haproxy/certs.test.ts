import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '@paas/testkit';
import { describe, expect, it } from 'vitest';
import { certFiles, parseCrtList, planCertCommands, writeCerts } from './certs.js';

const pem = (n: string) => `-----BEGIN CERTIFICATE-----\n${n}\n-----END CERTIFICATE-----\n`;

describe("the router's certificates", () => {
  it('writes them (0600) with the crt-list, and plans only the Runtime API commands a change needs', () => {
    const dir = tempDir('paas-certs-');
    const f = certFiles(dir);
    const a = path.join(f.dir, 'sni-a.pem');
    const b = path.join(f.dir, 'sni-b.pem');
    const first = writeCerts(dir, [
      { name: 'default', pem: pem('D1') },
      { name: 'sni-a', pem: pem('A1') },
    ]);
    expect(fs.statSync(a).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(f.list, 'utf8')).toBe(`${a}\n`);
    // Started on these files: HAProxy has them all; nothing to do but the (same) default.
    expect(planCertCommands(dir, first, [a], true)).toEqual([
      `set ssl cert ${f.default} <<\n${pem('D1')}`,
      `commit ssl cert ${f.default}`,
      `set ssl cert ${a} <<\n${pem('A1')}`,
      `commit ssl cert ${a}`,
    ]);
    // Unchanged: nothing. A new one: made, loaded, listed. One gone: unlisted, deleted, its file too.
    expect(
      planCertCommands(
        dir,
        writeCerts(dir, [
          { name: 'default', pem: pem('D1') },
          { name: 'sni-a', pem: pem('A1') },
        ]),
        [a],
        true,
      ),
    ).toEqual([]);
    const next = writeCerts(dir, [
      { name: 'default', pem: pem('D1') },
      { name: 'sni-b', pem: pem('B1') },
    ]);
    expect(planCertCommands(dir, next, [a], true)).toEqual([
      `new ssl cert ${b}`,
      `set ssl cert ${b} <<\n${pem('B1')}`,
      `commit ssl cert ${b}`,
      `add ssl crt-list ${f.list} ${b}`,
      `del ssl crt-list ${f.list} ${a}`,
      `del ssl cert ${a}`,
    ]);
    expect(fs.existsSync(a)).toBe(false);
    expect(fs.readFileSync(f.list, 'utf8')).toBe(`${b}\n`);
    // No TLS bind in the running configuration: nothing at runtime (a reload reads the files).
    expect(planCertCommands(dir, next, [], false)).toEqual([]);
  });

  it("reads HAProxy's crt-list", () => {
    expect(parseCrtList('# /d/certs.list\n/d/sni-a.pem\n/d/sni-b.pem [alpn h2]\n')).toEqual([
      '/d/sni-a.pem',
      '/d/sni-b.pem',
    ]);
  });
});
