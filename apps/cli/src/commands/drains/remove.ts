import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';

export default defineCommand({
  name: 'drains:remove',
  description: "stop sending the app's log lines to a drain (by URL or id)",
  usage: 'drains:remove URL',
  args: [1, 1],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    const [url = ''] = ctx.args;
    const drain = await ctx.api.delete<{ url: string }>(appPath(app, `/log-drains/${encodeURIComponent(url)}`));
    ctx.out(`Successfully removed drain ${drain.url}`);
  },
});
