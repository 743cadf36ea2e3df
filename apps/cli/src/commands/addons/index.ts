import type { AddonResponse, AttachmentResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { columns } from '../../output.js';

/** `paas addons`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [addons, attachments] = await Promise.all([
    ctx.api.get<AddonResponse[]>(appPath(app, '/addons')),
    ctx.api.get<AttachmentResponse[]>(appPath(app, '/addon-attachments')),
  ]);
  if (ctx.wantsJson) return ctx.json(addons);
  if (!addons.length) {
    ctx.out(`No add-ons for app ${app}.`);
    return;
  }
  const rows = [['Add-on', 'Plan', 'State', 'As']];
  for (const a of addons) {
    const as = attachments.filter((t) => t.addon.id === a.id).map((t) => t.name);
    const owner = a.app.name === app ? '' : ` (owned by ${a.app.name})`;
    rows.push([`${a.name}${owner}`, a.plan.name, a.state, as.join(', ')]);
  }
  ctx.out(columns(rows));
}
