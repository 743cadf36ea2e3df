import type { AttachmentResponse } from '@paas/shared';
import { attach } from '../../attach.js';
import type { Context } from '../../command.js';
import { env } from '../../env.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

/**
 * psql in a one-off process of the app (the database is reachable only from the app's own
 * network, never from this machine): the app's image must have psql (Debian's
 * postgresql-client); without it the one-off says so and exits 127.
 */
/** `paas pg:psql`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [database = 'DATABASE'] = ctx.args;
  const [att] = await ctx.api.post<AttachmentResponse[]>('/actions/addon-attachments/resolve', {
    addon_attachment: database,
    app,
  });
  const variable = att?.config_vars[0];
  if (!att || !variable) throw new CliError(`Couldn't find the database ${database} on ${app}.`);
  const sql = ctx.flag('command');
  const missing = `pg:psql: the image of ${app} has no psql. Add the Debian package postgresql-client to it (RUN apt-get update && apt-get install -y postgresql-client), push, and try again.`;
  const command = [
    `command -v psql >/dev/null 2>&1 || { echo '${missing.replaceAll("'", '')}' >&2; exit 127; }`,
    `exec psql "$${variable}"${sql ? ` -c '${sql.replaceAll("'", "'\\''")}'` : ''}`,
  ].join('; ');
  const tty = process.stdin.isTTY === true && !sql;
  const vars: Record<string, string> = env.term ? { TERM: env.term } : {};
  const body = { command, attach: true, env: vars, force_no_tty: !tty };
  ctx.io.stderr(`Connecting to ${att.addon.name} (${variable}) on ${appLabel(app)}... `);
  let code: number;
  try {
    code = await attach(ctx.api, app, body, {
      tty,
      started: (dyno) => ctx.io.stderr(`up, ${dyno.name}\n`),
      stderr: (t) => ctx.io.stderr(t),
    });
  } catch (err) {
    ctx.io.stderr('failed\n');
    throw err;
  }
  if (code !== 0) throw new CliError('', code);
}
