import type { DynoResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { appLabel } from '../../output.js';
import { commandOf, envOf } from '../../run-args.js';

/** `paas run:detached`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const command = commandOf(ctx.args);
  const dyno = await ctx.step(
    `Running \`${command}\` on ${appLabel(app)}`,
    () =>
      ctx.api.post<DynoResponse>(appPath(app, '/dynos'), {
        command,
        attach: false,
        env: envOf((ctx.flags.env as string[] | undefined) ?? []),
        ...(ctx.flag('size') ? { size: ctx.flag('size') } : {}),
        ...(ctx.flag('type') ? { type: ctx.flag('type') } : {}),
      }),
    (d) => `done, ${d.name}`,
  );
  if (ctx.wantsJson) return ctx.json(dyno);
  ctx.out(`Run \`paas logs -a ${app} -p ${dyno.name}\` to see its output.`);
}
