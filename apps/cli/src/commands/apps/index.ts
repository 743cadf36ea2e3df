import type { App } from '@paas/shared';
import type { Context } from '../../command.js';
import { header } from '../../output.js';

/** `paas apps`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const apps = await ctx.api.get<App[]>('/apps');
  if (ctx.wantsJson) return ctx.json(apps);
  if (apps.length === 0) return ctx.out('You have no apps.');
  ctx.out(header('Apps'));
  for (const app of apps) ctx.out(app.name);
}
