import type { BuildpackInstallation } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas buildpacks:set` and `buildpacks:clear`: see their entries in commands/build-commands.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const name = ctx.command.name === 'buildpacks:clear' ? null : (ctx.args[0] ?? null);
  const { headers } = await ctx.api.request<BuildpackInstallation[]>('PUT', appPath(app, '/buildpack-installations'), {
    updates: name ? [{ buildpack: name }] : [],
  });
  const version = headers.get('paas-release-version');
  const made = version ? ` (PAAS_BUILDER, ${version})` : '';
  ctx.err(
    name
      ? `Buildpack set${made}. Next release on ${appLabel(app)} will use ${name}.`
      : `Buildpack cleared${made}. Next release on ${appLabel(app)} will detect how to build it.`,
  );
  ctx.err('Run git push paas main to create a new release with it.');
}
