import type { Build } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { columns, header, shortTime } from '../../output.js';

/** `paas builds`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const builds = await ctx.api.get<Build[]>(appPath(app, '/builds'));
  if (ctx.wantsJson) return ctx.json(builds);
  ctx.out(header(`${app} Builds`));
  ctx.out(
    columns(
      builds.map((b) => [
        b.id,
        b.status,
        b.source_blob.version.slice(0, 7),
        b.release ? `v${b.release.version}` : '',
        shortTime(b.created_at),
      ]),
    ),
  );
}
