import { appPath } from '../../api.js';
import type { Context } from '../../command.js';

/** `paas config:get`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const vars = await ctx.api.get<Record<string, string>>(appPath(app, '/config-vars'));
  ctx.out(vars[ctx.args[0] ?? ''] ?? '');
}
