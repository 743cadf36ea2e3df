import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas ps:restart`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [which] = ctx.args;
  await ctx.step(`Restarting ${which ? `${which} processes` : 'all processes'} of ${appLabel(app)}`, () =>
    ctx.api.delete(appPath(app, which ? `/dynos/${encodeURIComponent(which)}` : '/dynos')),
  );
}
