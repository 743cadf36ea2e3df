import { appPath } from '../../api.js';
import type { Context } from '../../command.js';

/** `paas drains:remove`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [url = ''] = ctx.args;
  const drain = await ctx.api.delete<{ url: string }>(appPath(app, `/log-drains/${encodeURIComponent(url)}`));
  ctx.out(`Successfully removed drain ${drain.url}`);
}
