import type { AddonResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

/** `paas addons:destroy`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [ref = ''] = ctx.args;
  if (ctx.flag('confirm') !== app) {
    throw new CliError(
      `This destroys ${ref} and all its data. To proceed, run:\n  paas addons:destroy ${ref} -a ${app} --confirm ${app}`,
    );
  }
  const addon = await ctx.step(`Destroying ${ref} on ${appLabel(app)}`, () =>
    ctx.api.delete<AddonResponse>(appPath(app, `/addons/${encodeURIComponent(ref)}`)),
  );
  if (ctx.wantsJson) ctx.json(addon);
}
