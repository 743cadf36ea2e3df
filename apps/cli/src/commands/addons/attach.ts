import type { AttachmentResponse } from '@paas/shared';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas addons:attach`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
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
}
