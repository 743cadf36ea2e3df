import type { App } from '@paas/shared';
import { defineCommand } from '../../command.js';
import { header } from '../../output.js';

export default defineCommand({
  name: 'apps',
  description: 'list your apps',
  json: true,
  async run(ctx) {
    const apps = await ctx.api.get<App[]>('/apps');
    if (ctx.wantsJson) return ctx.json(apps);
    if (apps.length === 0) return ctx.out('You have no apps.');
    ctx.out(header('Apps'));
    for (const app of apps) ctx.out(app.name);
  },
});
