import type { App } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { DEFAULT_REMOTE, insideRepo, setRemote } from '../../git.js';

/** `paas git:remote`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const name = ctx.flag('app');
  if (!name) throw new CliError('git:remote needs the app: pass -a APP');
  if (!(await insideRepo())) throw new CliError('Not inside a git repository: run `git init` first.');
  const app = await ctx.api.get<App>(appPath(name));
  const remote = ctx.flag('remote') ?? DEFAULT_REMOTE;
  await setRemote(remote, app.git_url);
  ctx.out(`set git remote ${remote} to ${app.git_url}`);
}
