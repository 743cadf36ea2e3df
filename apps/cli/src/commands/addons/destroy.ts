import type { AddonResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'addons:destroy',
  description: 'detach an add-on everywhere and destroy it, with its data',
  usage: 'addons:destroy ADDON --confirm APP',
  args: [1, 1],
  needsApp: true,
  json: true,
  flags: { confirm: { type: 'string', short: 'c' } },
  async run(ctx) {
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
  },
});
