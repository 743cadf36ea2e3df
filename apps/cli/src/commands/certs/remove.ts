import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas certs:remove`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [name = ''] = ctx.args;
  await ctx.step(`Removing ${name} from ${appLabel(app)}`, () =>
    ctx.api.delete(appPath(app, `/sni-endpoints/${encodeURIComponent(name)}`)),
  );
}
