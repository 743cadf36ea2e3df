import type { AddonResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas addons:create`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
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
}
