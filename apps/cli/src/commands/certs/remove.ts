import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'certs:remove',
  description: 'remove a certificate (by the name `paas certs` shows)',
  usage: 'certs:remove NAME',
  args: [1, 1],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    const [name = ''] = ctx.args;
    await ctx.step(`Removing ${name} from ${appLabel(app)}`, () =>
      ctx.api.delete(appPath(app, `/sni-endpoints/${encodeURIComponent(name)}`)),
    );
  },
});
