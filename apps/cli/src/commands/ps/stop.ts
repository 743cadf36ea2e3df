import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'ps:stop',
  description: 'stop a process (web.2) or all of a type (web); still in the formation, they come back',
  usage: 'ps:stop TYPE|NAME',
  args: [1, 1],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    const [which = ''] = ctx.args;
    await ctx.step(`Stopping ${which} of ${appLabel(app)}`, () =>
      ctx.api.post(appPath(app, `/dynos/${encodeURIComponent(which)}/actions/stop`), {}),
    );
  },
});
