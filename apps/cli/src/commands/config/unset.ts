import type { Release } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';
import { followRelease, noticeReleaseInProgress } from '../../release-phase.js';

/** `paas config:unset`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const patch = Object.fromEntries(ctx.args.map((k) => [k, null]));
  await noticeReleaseInProgress(ctx, app);
  const { body, headers } = await ctx.step(
    `Unsetting ${ctx.args.join(', ')} and restarting ${appLabel(app)}`,
    () => ctx.api.request<Record<string, string>>('PATCH', appPath(app, '/config-vars'), patch),
    (res) => `done, ${res.headers.get('paas-release-version') ?? 'new release'}`,
  );
  const version = headers.get('paas-release-version');
  if (version) await followRelease(ctx, app, await ctx.api.get<Release>(appPath(app, `/releases/${version.slice(1)}`)));
  if (ctx.wantsJson) ctx.json(body);
}
