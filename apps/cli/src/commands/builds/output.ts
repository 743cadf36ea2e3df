import type { Build } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';

export default defineCommand({
  name: 'builds:output',
  description: "print a build's output (the newest build by default)",
  usage: 'builds:output [BUILD_ID]',
  args: [0, 1],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    let id = ctx.args[0];
    if (!id) {
      const [latest] = await ctx.api.get<Build[]>(appPath(app, '/builds'));
      if (!latest) return ctx.err(`${app} has no builds yet.`);
      id = latest.id;
    }
    const build = await ctx.api.get<Build>(appPath(app, `/builds/${encodeURIComponent(id)}`));
    ctx.out(build.output ?? '');
  },
});
