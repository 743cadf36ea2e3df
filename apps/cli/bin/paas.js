#!/usr/bin/env node
// The `paas` binary: runs the TypeScript sources through tsx, resolving workspace packages
// to their sources (the "development" export condition), so no build step is needed.
import { register } from 'node:module';

register(
  'data:text/javascript,export async function resolve(s, c, next) { return next(s, { ...c, conditions: [...c.conditions, "development"] }); }',
);
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
