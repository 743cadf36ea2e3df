import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'domains:add',
  description: 'route a custom host name to the app (point its DNS at the platform)',
  usage: 'domains:add HOSTNAME',
  examples: ['paas domains:add www.example.com'],
  args: [1, 1],
  needsApp: true,
  json: true,
  async run(ctx) {
    const app = await ctx.app();
    const [hostname] = ctx.args;
    const domain = await ctx.step(`Adding ${hostname} to ${appLabel(app)}`, () =>
      ctx.api.post<unknown>(appPath(app, '/domains'), { hostname }),
    );
    if (ctx.wantsJson) ctx.json(domain);
  },
});
