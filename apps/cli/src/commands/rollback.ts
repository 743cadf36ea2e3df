import type { Release } from '@paas/shared';
import { appPath } from '../api.js';
import type { Context } from '../command.js';
import { CliError } from '../errors.js';
import { appLabel } from '../output.js';
import { followRelease, noticeReleaseInProgress } from '../release-phase.js';

/** Set by the api on a release whose image was collected (and on a rollback that rebuilt it): the commit. */
const REBUILD_HEADER = 'paas-image-rebuild';

/** `paas rollback`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  let target = ctx.args[0]?.replace(/^v/i, '');
  if (target !== undefined && !/^\d+$/.test(target)) throw new CliError(`${ctx.args[0]}: expected a version like v3`);
  if (target === undefined) {
    // As the Heroku CLI picks it: the second release eligible for rollback, newest first
    // (the first is the current one; failed and pending releases are not eligible).
    const eligible = (await ctx.api.get<Release[]>(appPath(app, '/releases'))).filter((r) => r.eligible_for_rollback);
    const previous = eligible[1];
    if (!previous) throw new CliError(`No eligible release found for ${appLabel(app)} to roll back to.`);
    target = String(previous.version);
  }
  await noticeReleaseInProgress(ctx, app);
  // Ask first whether the target's image is still there, to say what the wait is for.
  const { headers } = await ctx.api.request<Release>('GET', appPath(app, `/releases/${target}`));
  const short = (commit: string) => commit.slice(0, 7);
  const rollBack = () => ctx.api.request<Release>('POST', appPath(app, '/releases'), { release: target });
  const label = `Rolling back ${appLabel(app)} to v${target}`;
  const willRebuild = headers.get(REBUILD_HEADER);
  let release: Release;
  if (willRebuild) {
    ({ body: release } = await ctx.step(
      `Rebuilding v${target} from commit ${short(willRebuild)} (its image was collected)`,
      rollBack,
    ));
    ctx.err(`${label}... done, v${release.version}`);
  } else {
    const answer = await ctx.step(label, rollBack, (r) => `done, v${r.body.version}`);
    release = answer.body;
    const rebuilt = answer.headers.get(REBUILD_HEADER);
    if (rebuilt) ctx.err(`v${target}'s image had been collected: it was rebuilt from commit ${short(rebuilt)}.`);
  }
  release = await followRelease(ctx, app, release);
  if (ctx.wantsJson) ctx.json(release);
}
