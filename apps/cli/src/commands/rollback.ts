import type { Release } from '@paas/shared';
import { appPath } from '../api.js';
import { defineCommand } from '../command.js';
import { CliError } from '../errors.js';
import { appLabel } from '../output.js';

export default defineCommand({
  name: 'rollback',
  description: "make a new release with an earlier release's image and config (default: the one before the current)",
  usage: 'rollback [vN]',
  examples: ['paas rollback', 'paas rollback v41'],
  args: [0, 1],
  needsApp: true,
  json: true,
  async run(ctx) {
    const app = await ctx.app();
    let target = ctx.args[0]?.replace(/^v/i, '');
    if (target !== undefined && !/^\d+$/.test(target)) throw new CliError(`${ctx.args[0]}: expected a version like v3`);
    if (target === undefined) {
      const current = (await ctx.api.get<Release[]>(appPath(app, '/releases'))).find((r) => r.current);
      if (!current || current.version < 2)
        throw new CliError(`${appLabel(app)} has no earlier release to roll back to.`);
      target = String(current.version - 1);
    }
    const release = await ctx.step(
      `Rolling back ${appLabel(app)} to v${target}`,
      () => ctx.api.post<Release>(appPath(app, '/releases'), { release: target }),
      (r) => `done, v${r.version}`,
    );
    if (ctx.wantsJson) ctx.json(release);
  },
});
