import fs from 'node:fs';
import type { SniEndpointResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

function read(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`could not read the ${what} ${file}: ${(err as Error).message}`);
  }
}

/** `paas certs:add`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [certFile = '', keyFile = ''] = ctx.args;
  const body = { certificate_chain: read(certFile, 'certificate'), private_key: read(keyFile, 'private key') };
  const cert = await ctx.step(`Adding the certificate to ${appLabel(app)}`, () =>
    ctx.api.post<SniEndpointResponse>(appPath(app, '/sni-endpoints'), body),
  );
  if (ctx.wantsJson) return ctx.json(cert);
  ctx.out(`${cert.name}: ${cert.ssl_cert.cert_domains.join(', ')} (expires ${cert.ssl_cert.expires_at.slice(0, 10)})`);
}
