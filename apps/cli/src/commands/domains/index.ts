import type { DomainResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { header } from '../../output.js';

/** `paas domains`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const domains = await ctx.api.get<DomainResponse[]>(appPath(app, '/domains'));
  if (ctx.wantsJson) return ctx.json(domains);
  ctx.out(header(`${app} Default Domain`));
  for (const d of domains.filter((x) => x.kind !== 'custom')) ctx.out(d.hostname);
  const custom = domains.filter((x) => x.kind === 'custom');
  if (custom.length) {
    ctx.out();
    ctx.out(header(`${app} Custom Domains`));
    for (const d of custom) ctx.out(d.hostname);
  }
}
