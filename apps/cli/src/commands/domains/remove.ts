import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'domains:remove',
  description: 'stop routing a custom host name to the app',
  usage: 'domains:remove HOSTNAME',
  args: [1, 1],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    const [hostname = ''] = ctx.args;
    await ctx.step(`Removing ${hostname} from ${appLabel(app)}`, () =>
      ctx.api.delete(appPath(app, `/domains/${encodeURIComponent(hostname)}`)),
    );
  },
});
