import type { App } from '@paas/shared';
import { defineCommand } from '../../command.js';
import { DEFAULT_REMOTE, insideRepo, setRemote } from '../../git.js';
import { appLabel } from '../../output.js';

export default defineCommand({
  name: 'apps:create',
  description: 'create an app (inside a git repository, also add its `paas` git remote)',
  usage: 'apps:create [NAME] [--remote paas] [--no-remote]',
  examples: ['paas apps:create hello'],
  args: [0, 1],
  json: true,
  flags: { remote: { type: 'string', short: 'r' }, 'no-remote': { type: 'boolean' } },
  async run(ctx) {
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
  },
});
