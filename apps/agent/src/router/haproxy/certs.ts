/**
 * The router's certificates, on disk and in the running HAProxy. Each is one PEM file
 * (certificate, chain, key; mode 0600) under `<dir>/certs`: `default.pem` (the platform CA's
 * certificate for `*.<PAAS_DOMAIN>`) is on the TLS bind itself and served when no other name
 * matches; the others are in the crt-list `certs.list`, chosen by SNI from their own names.
 * Changes are loaded through the Runtime API (`new`/`set`/`commit ssl cert`, `add`/`del ssl
 * crt-list`): no reload, which would close every idle keep-alive connection. The files are what
 * a reload or a start reads, so both always say the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RouterCert } from '@paas/shared';

export const certFiles = (dir: string) => {
  const certs = path.join(dir, 'certs');
  return { dir: certs, list: path.join(certs, 'certs.list'), default: path.join(certs, 'default.pem') };
};

export interface CertChanges {
  /** Files whose content is new or changed. */
  changed: Map<string, string>;
  /** Every custom (crt-list) file wanted now. */
  custom: string[];
}

const normalize = (pem: string) => `${pem.trim()}\n`;

/** Writes the certificates and the crt-list; removes the files of the ones no longer wanted. */
export function writeCerts(dir: string, certs: RouterCert[]): CertChanges {
  const f = certFiles(dir);
  fs.mkdirSync(f.dir, { recursive: true, mode: 0o700 });
  const changed = new Map<string, string>();
  const wanted = new Set<string>();
  for (const c of certs) {
    const file = path.join(f.dir, `${c.name}.pem`);
    const pem = normalize(c.pem);
    wanted.add(file);
    let old = '';
    try {
      old = fs.readFileSync(file, 'utf8');
    } catch {}
    if (old === pem) continue;
    fs.writeFileSync(`${file}.tmp`, pem, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    changed.set(file, pem);
  }
  const custom = [...wanted].filter((p) => p !== f.default).sort();
  fs.writeFileSync(`${f.list}.tmp`, custom.map((p) => `${p}\n`).join(''), { mode: 0o600 });
  fs.renameSync(`${f.list}.tmp`, f.list);
  for (const name of fs.readdirSync(f.dir)) {
    const file = path.join(f.dir, name);
    if (name.endsWith('.pem') && !wanted.has(file)) fs.rmSync(file, { force: true });
  }
  return { changed, custom };
}

/** The files in a crt-list as HAProxy has it (`show ssl crt-list <list>`). */
export const parseCrtList = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/)[0] ?? '');

/**
 * The Runtime API commands that bring a running HAProxy (whose crt-list holds `running`) to
 * the certificates just written. `tls`: the running configuration has the TLS bind.
 */
export function planCertCommands(dir: string, changes: CertChanges, running: string[], tls: boolean): string[] {
  if (!tls) return [];
  const f = certFiles(dir);
  const have = new Set(running);
  const wanted = new Set(changes.custom);
  const commands: string[] = [];
  const load = (file: string, pem: string) => [`set ssl cert ${file} <<\n${pem}`, `commit ssl cert ${file}`];
  const defaultPem = changes.changed.get(f.default);
  if (defaultPem) commands.push(...load(f.default, defaultPem));
  for (const file of changes.custom) {
    const pem = changes.changed.get(file) ?? (have.has(file) ? undefined : fs.readFileSync(file, 'utf8'));
    if (!pem) continue;
    if (!have.has(file)) commands.push(`new ssl cert ${file}`);
    commands.push(...load(file, pem));
    if (!have.has(file)) commands.push(`add ssl crt-list ${f.list} ${file}`);
  }
  for (const file of running) {
    if (wanted.has(file)) continue;
    commands.push(`del ssl crt-list ${f.list} ${file}`, `del ssl cert ${file}`);
  }
  return commands;
}
