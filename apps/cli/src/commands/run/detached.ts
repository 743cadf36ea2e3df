import type { DynoResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { defineCommand } from '../../command.js';
import { appLabel } from '../../output.js';
import { commandOf, envOf } from '../../run-args.js';

export default defineCommand({
  name: 'run:detached',
  description: 'run a one-off process in the background; its output goes to the log as run.N',
  usage: 'run:detached [-e KEY=VALUE …] [-s SIZE] [--type TYPE] -- COMMAND …',
  examples: ['paas run:detached -- rake db:migrate', 'paas logs -p run.1'],
  flags: {
    env: { type: 'string', short: 'e', multiple: true },
    size: { type: 'string', short: 's' },
    type: { type: 'string' },
  },
  args: [1, Number.POSITIVE_INFINITY],
  needsApp: true,
  json: true,
  async run(ctx) {
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
  },
});
