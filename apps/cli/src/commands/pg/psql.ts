import type { AttachmentResponse, DynoResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import { attach } from '../../attach.js';
import { defineCommand } from '../../command.js';
import { env } from '../../env.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

/**
 * psql in a one-off process of the app (the database is reachable only from the app's own
 * network, never from this machine): the app's image must have psql (Debian's
 * postgresql-client); without it the one-off says so and exits 127.
 */
export default defineCommand({
  name: 'pg:psql',
  description: "open psql on the app's database, in a one-off process of the app",
  usage: 'pg:psql [DATABASE] [-c COMMAND]',
  examples: ['paas pg:psql', 'paas pg:psql HEROKU_POSTGRESQL_GOLD -c "select count(*) from notes"'],
  args: [0, 1],
  needsApp: true,
  flags: { command: { type: 'string', short: 'c' } },
  async run(ctx) {
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
    const dyno = await ctx.step(
      `Connecting to ${att.addon.name} (${variable}) on ${appLabel(app)}`,
      () =>
        ctx.api.post<DynoResponse>(appPath(app, '/dynos'), {
          command,
          attach: true,
          env: env.term ? { TERM: env.term } : {},
          force_no_tty: !tty,
        }),
      (d) => `up, ${d.name}`,
    );
    const secret = dyno.attach_url?.split('/').pop();
    if (!secret) throw new CliError('The api gave no attach URL for the process.');
    const code = await attach(ctx.api.url, secret, tty, (t) => ctx.io.stderr(t));
    if (code !== 0) throw new CliError('', code);
  },
});
