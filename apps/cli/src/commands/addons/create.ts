import type { AddonResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'addons:create',
  description: 'provision an add-on (heroku-postgresql, heroku-redis) and attach it to the app',
  usage: 'addons:create SERVICE[:PLAN] [--as NAME] [--name ADDON]',
  examples: ['paas addons:create heroku-postgresql', 'paas addons:create redis --as CACHE'],
  args: [1, 1],
  needsApp: true,
  json: true,
  flags: { as: { type: 'string' }, name: { type: 'string' } },
  async run(ctx) {
    const app = await ctx.app();
    const [plan = ''] = ctx.args;
    const as = ctx.flag('as');
    const name = ctx.flag('name');
    const addon = await ctx.step(
      `Creating ${plan} on ${appLabel(app)}`,
      () =>
        ctx.api.post<AddonResponse>(appPath(app, '/addons'), {
          plan: { name: plan },
          ...(as ? { attachment: { name: as } } : {}),
          ...(name ? { name } : {}),
        }),
      (a) => a.state,
    );
    if (ctx.wantsJson) return ctx.json(addon);
    if (addon.state === 'provisioning') {
      ctx.out(`${addon.name} is being created in the background; paas addons:info ${addon.name} shows its state.`);
    } else {
      ctx.out(`Created ${addon.name} as ${addon.config_vars.join(', ')}`);
    }
  },
});
