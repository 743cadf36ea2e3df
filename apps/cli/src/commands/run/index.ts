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
  const body = {
    command,
    attach: true,
    env: vars,
    force_no_tty: !tty,
    ...(ctx.flag('size') ? { size: ctx.flag('size') } : {}),
    ...(ctx.flag('type') ? { type: ctx.flag('type') } : {}),
  };
  // As ctx.step shows it, but "up" is said as the api makes the process, before its output.
  ctx.io.stderr(`Running \`${command}\` on ${appLabel(app)}... `);
  let code: number;
  try {
    code = await attach(ctx.api, app, body, {
      tty,
      started: (dyno) => ctx.io.stderr(`up, ${dyno.name}\n`),
      stderr: (t) => ctx.io.stderr(t),
    });
  } catch (err) {
    ctx.io.stderr('failed\n'); // attach rejects only when the api did not make the process
    throw err;
  }
  if (code !== 0) throw new CliError('', code);
}
