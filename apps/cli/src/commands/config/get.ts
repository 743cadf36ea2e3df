import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';

export default defineCommand({
  name: 'config:get',
  description: 'print one config var (an empty line if it is not set)',
  usage: 'config:get KEY',
  args: [1, 1],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    const vars = await ctx.api.get<Record<string, string>>(appPath(app, '/config-vars'));
    ctx.out(vars[ctx.args[0] ?? ''] ?? '');
  },
});
