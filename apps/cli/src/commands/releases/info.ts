import type { Release } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { header, keyValues, shortTime } from '../../output.js';

export default defineCommand({
  name: 'releases:info',
  description: 'show one release (the current one by default)',
  usage: 'releases:info [vN]',
  args: [0, 1],
  needsApp: true,
  json: true,
  async run(ctx) {
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
  },
});
