import type { BackupResponse } from '@paas/shared';
import { appPath } from '../../../api.js';
import { defineCommand } from '../../../command.js';
import { CliError } from '../../../errors.js';
import { appLabel } from '../../../output.js';

export default defineCommand({
  name: 'pg:backups:restore',
  description: "replace the database's contents with a backup (the newest one by default)",
  usage: 'pg:backups:restore [BACKUP] [DATABASE] --confirm APP',
  examples: ['paas pg:backups:restore b002 DATABASE_URL -a myapp --confirm myapp'],
  args: [0, 2],
  needsApp: true,
  json: true,
  flags: { confirm: { type: 'string', short: 'c' } },
  async run(ctx) {
    const app = await ctx.app();
    const [backup = 'latest', database] = ctx.args;
    if (ctx.flag('confirm') !== app) {
      throw new CliError(
        `This replaces all the data in ${database ?? 'DATABASE'} of ${app} with backup ${backup}. To proceed, run:\n  paas pg:backups:restore ${backup}${database ? ` ${database}` : ''} -a ${app} --confirm ${app}`,
      );
    }
    const restored = await ctx.step(`Restoring ${backup} to ${database ?? 'DATABASE'} on ${appLabel(app)}`, () =>
      ctx.api.post<BackupResponse>(appPath(app, `/pg-backups/${encodeURIComponent(backup)}/restore`), {
        confirm: app,
        ...(database ? { database } : {}),
      }),
    );
    if (ctx.wantsJson) ctx.json(restored);
  },
});
