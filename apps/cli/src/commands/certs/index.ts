import type { SniEndpointResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { columns, header } from '../../output.js';

export default defineCommand({
  name: 'certs',
  description: "list the certificates for an app's custom domains (served over HTTPS by SNI)",
  needsApp: true,
  json: true,
  async run(ctx) {
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
  },
});
