import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { tarOf } from './tar.js';

it('makes an archive tar itself reads back: the name, the content, root-owned', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-'));
  const archive = path.join(dir, 'a.tar');
  fs.writeFileSync(archive, tarOf('.paas-gate', '1.5\n'));
  expect(execFileSync('tar', ['-tvf', archive]).toString()).toMatch(
    /^-rw-r--r-- (root|0)\/(root|0) +4 .* \.paas-gate\n$/,
  );
  expect(execFileSync('tar', ['-xOf', archive, '.paas-gate']).toString()).toBe('1.5\n');
  fs.rmSync(dir, { recursive: true });
});
