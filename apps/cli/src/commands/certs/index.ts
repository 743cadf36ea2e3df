import type { SniEndpointResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { columns, header } from '../../output.js';

/** `paas certs`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const certs = await ctx.api.get<SniEndpointResponse[]>(appPath(app, '/sni-endpoints'));
  if (ctx.wantsJson) return ctx.json(certs);
  if (!certs.length) return ctx.out(`${app} has no certificates for its custom domains.`);
  ctx.out(header(`${app} Certificates`));
  ctx.out(
    columns([
      ['Name', 'Common Name(s)', 'Domains', 'Expires'],
      ...certs.map((c) => [
        c.name,
        c.ssl_cert.cert_domains.join(', '),
        c.domains.join(', '),
        c.ssl_cert.expires_at.slice(0, 10),
      ]),
    ]),
  );
}
