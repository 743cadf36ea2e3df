import type { App, Release } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { header, keyValues, shortTime } from '../../output.js';

export default defineCommand({
  name: 'apps:info',
  description: 'show an app',
  needsApp: true,
  json: true,
  async run(ctx) {
    const name = await ctx.app();
    const [app, releases] = await Promise.all([
      ctx.api.get<App>(appPath(name)),
      ctx.api.get<Release[]>(appPath(name, '/releases')),
    ]);
    if (ctx.wantsJson) return ctx.json(app);
    const current = releases.find((r) => r.current);
    ctx.out(header(app.name));
    ctx.out(
      keyValues([
        ['Git URL', app.git_url],
        ['Web URL', app.web_url],
        ['Owner', app.owner.email],
        ['Stack', app.stack.name],
        ['Releases', String(releases.length)],
        ['Current Release', current ? `v${current.version} (${current.description})` : 'none'],
        ['Created', shortTime(app.created_at)],
      ]),
    );
  },
});
