import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'config:unset',
  description: 'unset config vars: makes a new release and restarts the app',
  usage: 'config:unset KEY [KEY ...]',
  args: [1, Number.POSITIVE_INFINITY],
  needsApp: true,
  json: true,
  async run(ctx) {
    const app = await ctx.app();
    const patch = Object.fromEntries(ctx.args.map((k) => [k, null]));
    const { body } = await ctx.step(
      `Unsetting ${ctx.args.join(', ')} and restarting ${appLabel(app)}`,
      () => ctx.api.request<Record<string, string>>('PATCH', appPath(app, '/config-vars'), patch),
      (res) => `done, ${res.headers.get('paas-release-version') ?? 'new release'}`,
    );
    if (ctx.wantsJson) ctx.json(body);
  },
});
