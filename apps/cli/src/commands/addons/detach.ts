import type { AttachmentResponse } from '@paas/shared';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'addons:detach',
  description: 'detach an add-on attachment from an app (its config var goes, in a new release)',
  usage: 'addons:detach ATTACHMENT',
  args: [1, 1],
  needsApp: true,
  json: true,
  async run(ctx) {
    const app = await ctx.app();
    const [ref = ''] = ctx.args;
    const [att] = await ctx.api.post<AttachmentResponse[]>('/actions/addon-attachments/resolve', {
      addon_attachment: ref,
      app,
    });
    if (!att) return;
    await ctx.step(`Detaching ${att.name} from ${appLabel(app)}`, () => ctx.api.delete(`/addon-attachments/${att.id}`));
    if (ctx.wantsJson) ctx.json(att);
  },
});
