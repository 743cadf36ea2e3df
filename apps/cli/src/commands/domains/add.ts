import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas domains:add`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [hostname] = ctx.args;
  const domain = await ctx.step(`Adding ${hostname} to ${appLabel(app)}`, () =>
    ctx.api.post<unknown>(appPath(app, '/domains'), { hostname }),
  );
  if (ctx.wantsJson) ctx.json(domain);
}
