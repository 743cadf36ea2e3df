import type { AttachmentResponse } from '@paas/shared';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas addons:detach`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [ref = ''] = ctx.args;
  const [att] = await ctx.api.post<AttachmentResponse[]>('/actions/addon-attachments/resolve', {
    addon_attachment: ref,
    app,
  });
  if (!att) return;
  await ctx.step(`Detaching ${att.name} from ${appLabel(app)}`, () => ctx.api.delete(`/addon-attachments/${att.id}`));
  if (ctx.wantsJson) ctx.json(att);
}
