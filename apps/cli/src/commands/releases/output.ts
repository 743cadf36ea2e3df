import type { Release } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { streamReleaseOutput } from '../../release-phase.js';

/** `paas releases:output`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const wanted = ctx.args[0]?.replace(/^v/i, '');
  if (wanted !== undefined && !/^\d+$/.test(wanted)) throw new CliError(`${ctx.args[0]}: expected a version like v3`);
  const release = wanted
    ? await ctx.api.get<Release>(appPath(app, `/releases/${wanted}`))
    : (await ctx.api.get<Release[]>(appPath(app, '/releases')))[0];
  if (!release) throw new CliError(`${app} has no releases.`);
  if (!release.output_stream_url) {
    return ctx.err(`v${release.version} has no release command output (its Procfile has no release: line).`);
  }
  const state = await streamReleaseOutput(release.output_stream_url, (text) => ctx.io.stdout(text));
  if (state === 'not-started')
    ctx.err(`v${release.version}'s release command has not started yet; try again in a few seconds.`);
}
