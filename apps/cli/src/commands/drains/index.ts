import type { DrainResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { header } from '../../output.js';

export default defineCommand({
  name: 'drains',
  description: "list the app's log drains: where its log lines are also sent",
  needsApp: true,
  json: true,
  async run(ctx) {
    const app = await ctx.app();
    const drains = await ctx.api.get<DrainResponse[]>(appPath(app, '/log-drains'));
    if (ctx.wantsJson) return ctx.json(drains);
    if (drains.length === 0) return ctx.out(`${app} has no drains.`);
    ctx.out(header('Drains'));
    for (const d of drains) ctx.out(`${d.url} (${d.token})`);
  },
});
