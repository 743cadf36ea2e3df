import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'ps:restart',
  description: "restart an app's processes: all, a type (web) or one (web.2)",
  usage: 'ps:restart [TYPE|NAME]',
  args: [0, 1],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    const [which] = ctx.args;
    await ctx.step(`Restarting ${which ? `${which} processes` : 'all processes'} of ${appLabel(app)}`, () =>
      ctx.api.delete(appPath(app, which ? `/dynos/${encodeURIComponent(which)}` : '/dynos')),
    );
  },
});
