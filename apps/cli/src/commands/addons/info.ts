import type { AddonResponse, AttachmentResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { header, keyValues } from '../../output.js';

/** `paas addons:info`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [ref = ''] = ctx.args;
  const addon = await ctx.api.get<AddonResponse>(appPath(app, `/addons/${encodeURIComponent(ref)}`));
  if (ctx.wantsJson) return ctx.json(addon);
  const attachments = await ctx.api.get<AttachmentResponse[]>(`/addons/${addon.id}/addon-attachments`);
  ctx.out(header(addon.name));
  ctx.out(
    keyValues([
      ['Plan', addon.plan.name],
      ['Attachments', attachments.map((t) => `${t.app.name}::${t.name}`).join(', ')],
      ['Owning app', addon.app.name],
      ['Installed at', addon.created_at],
      ['State', addon.state],
    ]),
  );
}
