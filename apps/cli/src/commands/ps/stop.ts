import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas ps:stop`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [which = ''] = ctx.args;
  await ctx.step(`Stopping ${which} of ${appLabel(app)}`, () =>
    ctx.api.post(appPath(app, `/dynos/${encodeURIComponent(which)}/actions/stop`), {}),
  );
}
