import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Routes parse, call core and present: they never reach into the store, not even for a type.
it('routes import nothing from store/', () => {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const offenders = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => /from '\.\.\/store\//.test(fs.readFileSync(path.join(dir, f), 'utf8')));
  expect(offenders).toEqual([]);
});
