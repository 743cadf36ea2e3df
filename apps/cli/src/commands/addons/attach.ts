import type { AttachmentResponse } from '@paas/shared';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'addons:attach',
  description: 'attach an existing add-on to an app (its URL goes in the config)',
  usage: 'addons:attach ADDON [--as NAME]',
  examples: ['paas addons:attach postgresql-tidy-12345 -a other-app --as SHARED_DATABASE'],
  args: [1, 1],
  needsApp: true,
  json: true,
  flags: { as: { type: 'string' } },
  async run(ctx) {
    const app = await ctx.app();
    const [ref = ''] = ctx.args;
    const as = ctx.flag('as');
    const att = await ctx.step(`Attaching ${ref}${as ? ` as ${as.toUpperCase()}` : ''} to ${appLabel(app)}`, () =>
      ctx.api.post<AttachmentResponse>('/addon-attachments', {
        addon: { name: ref },
        app: { name: app },
        ...(as ? { name: as } : {}),
      }),
    );
    if (ctx.wantsJson) return ctx.json(att);
    ctx.out(`Attached as ${att.config_vars.join(', ')}`);
  },
});
