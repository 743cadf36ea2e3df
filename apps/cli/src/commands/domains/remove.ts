import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas domains:remove`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [hostname = ''] = ctx.args;
  await ctx.step(`Removing ${hostname} from ${appLabel(app)}`, () =>
    ctx.api.delete(appPath(app, `/domains/${encodeURIComponent(hostname)}`)),
  );
}
