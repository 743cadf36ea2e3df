import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';

export default defineCommand({
  name: 'drains:add',
  description: "send the app's log lines to a URL too (https://, http:// or syslog+tcp://)",
  usage: 'drains:add URL',
  examples: ['paas drains:add https://logs.example.com/paas', 'paas drains:add syslog+tcp://logs.example.com:514'],
  args: [1, 1],
  needsApp: true,
  json: true,
  async run(ctx) {
    const app = await ctx.app();
    const [url] = ctx.args;
    const drain = await ctx.api.post<{ url: string }>(appPath(app, '/log-drains'), { url });
    if (ctx.wantsJson) return ctx.json(drain);
    ctx.out(`Successfully added drain ${drain.url}`);
  },
});
