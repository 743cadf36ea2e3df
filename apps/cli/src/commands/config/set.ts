import type { Release } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { appLabel, keyValues } from '../../output.js';
import { followRelease, noticeReleaseInProgress } from '../../release-phase.js';

/** `paas config:set`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const vars: Record<string, string> = {};
  for (const arg of ctx.args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new CliError(`${arg}: expected KEY=VALUE`);
    vars[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  await noticeReleaseInProgress(ctx, app);
  const { body, headers } = await ctx.step(
    `Setting ${Object.keys(vars).join(', ')} and restarting ${appLabel(app)}`,
    () => ctx.api.request<Record<string, string>>('PATCH', appPath(app, '/config-vars'), vars),
    (res) => `done, ${res.headers.get('paas-release-version') ?? 'new release'}`,
  );
  const version = headers.get('paas-release-version');
  if (version) await followRelease(ctx, app, await ctx.api.get<Release>(appPath(app, `/releases/${version.slice(1)}`)));
  if (ctx.wantsJson) return ctx.json(body);
  ctx.out(keyValues(Object.keys(vars).map((k) => [k, body[k] ?? ''])));
}
