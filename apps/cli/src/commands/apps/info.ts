import type { App, Release } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { header, keyValues, shortTime } from '../../output.js';

/** `paas apps:info`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
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
}
