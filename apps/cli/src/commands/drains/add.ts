import { appPath } from '../../api.js';
import type { Context } from '../../command.js';

/** `paas drains:add`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [url] = ctx.args;
  const drain = await ctx.api.post<{ url: string }>(appPath(app, '/log-drains'), { url });
  if (ctx.wantsJson) return ctx.json(drain);
  ctx.out(`Successfully added drain ${drain.url}`);
}
