import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

/** `paas builds:cache:purge`: see its entry in commands/build-commands.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  if (ctx.flag('confirm') !== app) {
    throw new CliError(
      `This makes the next build of ${appLabel(app)} install all its dependencies again. To proceed, run:\n  paas builds:cache:purge -a ${app} --confirm ${app}`,
    );
  }
  await ctx.step(`Purging build cache of ${appLabel(app)}`, () => ctx.api.delete(appPath(app, '/build-cache')));
  ctx.err('The next push builds without cached dependencies.');
}
