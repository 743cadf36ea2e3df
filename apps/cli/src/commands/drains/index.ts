import type { DrainResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { header } from '../../output.js';

/** `paas drains`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const drains = await ctx.api.get<DrainResponse[]>(appPath(app, '/log-drains'));
  if (ctx.wantsJson) return ctx.json(drains);
  if (drains.length === 0) return ctx.out(`${app} has no drains.`);
  ctx.out(header('Drains'));
  for (const d of drains) ctx.out(`${d.url} (${d.token})`);
}
