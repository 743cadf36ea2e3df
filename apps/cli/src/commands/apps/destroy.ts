import type { App } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { appFromRemoteUrl, DEFAULT_REMOTE, remoteUrl, removeRemote } from '../../git.js';
import { appLabel } from '../../output.js';

/** `paas apps:destroy`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const confirm = ctx.flag('confirm');
  const name = ctx.args[0] ?? ctx.flag('app') ?? confirm ?? (await ctx.app());
  if (confirm !== name) {
    throw new CliError(
      `This destroys ${appLabel(name)} and stops all its processes. To proceed, run:\n  paas apps:destroy -a ${name} --confirm ${name}`,
    );
  }
  const app = await ctx.step(`Destroying ${appLabel(name)}`, () => ctx.api.delete<App>(appPath(name)));
  const remote = ctx.flag('remote') ?? DEFAULT_REMOTE;
  const url = await remoteUrl(remote);
  if (url && appFromRemoteUrl(url) === name) {
    await removeRemote(remote);
    ctx.err(`Git remote ${remote} removed`);
  }
  if (ctx.wantsJson) ctx.json(app);
}
