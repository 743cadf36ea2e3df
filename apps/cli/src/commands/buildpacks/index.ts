import type { BuildpackInstallation } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';

/** `paas buildpacks`: see its entry in commands/build-commands.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const list = await ctx.api.get<BuildpackInstallation[]>(appPath(app, '/buildpack-installations'));
  if (ctx.wantsJson) return ctx.json(list);
  if (list.length === 0) {
    ctx.out(
      `${appLabel(app)} has no builder set: each push is detected (Dockerfile, Node.js, Python, Go, static site).`,
    );
    return;
  }
  ctx.out(`=== ${app} Buildpack URL`);
  for (const b of list) ctx.out(b.buildpack.url);
}
