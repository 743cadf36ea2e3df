import type { DynoResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { attach } from '../../attach.js';
import { defineCommand } from '../../command.js';
import { env } from '../../env.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';
import { commandOf, envOf } from '../../run-args.js';

export default defineCommand({
  name: 'run',
  description: 'run a one-off process (the current release, its config), attached to this terminal',
  usage: 'run [-e KEY=VALUE …] [-s SIZE] [--type TYPE] [--no-tty] [-x] -- COMMAND …',
  examples: [
    'paas run bash',
    'paas run -e DEBUG=1 -- rake db:migrate',
    'paas run worker',
    'echo data | paas run -- cat',
  ],
  flags: {
    env: { type: 'string', short: 'e', multiple: true },
    size: { type: 'string', short: 's' },
    type: { type: 'string' },
    'no-tty': { type: 'boolean' },
    /** Accepted as heroku's: `paas run` always exits with the process's status. */
    'exit-code': { type: 'boolean', short: 'x' },
  },
  args: [1, Number.POSITIVE_INFINITY],
  needsApp: true,
  async run(ctx) {
    const app = await ctx.app();
    const command = commandOf(ctx.args);
    const tty = process.stdin.isTTY === true && ctx.flags['no-tty'] !== true;
    const vars = {
      ...envOf((ctx.flags.env as string[] | undefined) ?? []),
      ...(env.term ? { TERM: env.term } : {}),
      ...(tty && process.stdout.isTTY
        ? { COLUMNS: String(process.stdout.columns), LINES: String(process.stdout.rows) }
        : {}),
    };
    const dyno = await ctx.step(
      `Running \`${command}\` on ${appLabel(app)}`,
      () =>
        ctx.api.post<DynoResponse>(appPath(app, '/dynos'), {
          command,
          attach: true,
          env: vars,
          force_no_tty: !tty,
          ...(ctx.flag('size') ? { size: ctx.flag('size') } : {}),
          ...(ctx.flag('type') ? { type: ctx.flag('type') } : {}),
        }),
      (d) => `up, ${d.name}`,
    );
    const secret = dyno.attach_url?.split('/').pop();
    if (!secret) throw new CliError('The api gave no attach URL for the process.');
    const code = await attach(ctx.api.url, secret, tty, (t) => ctx.io.stderr(t));
    if (code !== 0) throw new CliError('', code);
  },
});
