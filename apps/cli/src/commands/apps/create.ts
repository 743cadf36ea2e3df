import type { App } from '@paas/shared';
import type { Context } from '../../command.js';
import { DEFAULT_REMOTE, insideRepo, setRemote } from '../../git.js';
import { appLabel } from '../../output.js';

/** `paas apps:create`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const [name] = ctx.args;
  const app = await ctx.step(
    `Creating ${name ? appLabel(name) : 'app'}`,
    () => ctx.api.post<App>('/apps', name ? { name } : {}),
    (created) => (name ? 'done' : `done, ${appLabel(created.name)}`),
  );
  if (!ctx.flags['no-remote'] && (await insideRepo())) {
    const remote = ctx.flag('remote') ?? DEFAULT_REMOTE;
    await setRemote(remote, app.git_url);
    ctx.err(`Git remote ${remote} added: ${app.git_url}`);
  }
  if (ctx.wantsJson) return ctx.json(app);
  ctx.out(`${app.web_url} | ${app.git_url}`);
}
