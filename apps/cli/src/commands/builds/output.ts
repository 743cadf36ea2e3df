import type { Build } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';

/** `paas builds:output`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  let id = ctx.args[0];
  if (!id) {
    const [latest] = await ctx.api.get<Build[]>(appPath(app, '/builds'));
    if (!latest) return ctx.err(`${app} has no builds yet.`);
    id = latest.id;
  }
  const build = await ctx.api.get<Build>(appPath(app, `/builds/${encodeURIComponent(id)}`));
  ctx.out(build.output ?? '');
}
