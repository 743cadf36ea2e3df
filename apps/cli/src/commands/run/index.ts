import type { DynoResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { attach } from '../../attach.js';
import type { Context } from '../../command.js';
import { env } from '../../env.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';
import { commandOf, envOf } from '../../run-args.js';

/** `paas run`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
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
}
