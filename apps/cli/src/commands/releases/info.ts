import type { Release } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { header, keyValues, shortTime } from '../../output.js';

/** `paas releases:info`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const wanted = ctx.args[0]?.replace(/^v/i, '');
  const release = wanted
    ? await ctx.api.get<Release>(appPath(app, `/releases/${encodeURIComponent(wanted)}`))
    : (await ctx.api.get<Release[]>(appPath(app, '/releases')))[0];
  if (!release) return ctx.out(`${app} has no releases.`);
  if (ctx.wantsJson) return ctx.json(release);
  ctx.out(header(`Release v${release.version}`));
  ctx.out(
    keyValues([
      ['By', release.user.email],
      ['Change', release.description],
      ['Status', release.status],
      ['Release command', release.process_types.release ?? 'none'],
      ['Current', release.current ? 'yes' : 'no'],
      ['Image', release.image ? `${release.image.tag ?? ''} ${release.image.id}`.trim() : 'none'],
      [
        'Processes',
        Object.entries(release.process_types)
          .filter(([t]) => t !== 'release')
          .map(([t, c]) => `${t}: ${c ?? '(image CMD)'}`)
          .join('; ') || 'none',
      ],
      ['When', shortTime(release.created_at)],
    ]),
  );
}
