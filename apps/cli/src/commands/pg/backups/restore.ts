import type { BackupResponse } from '@paas/shared';
import { appPath } from '../../../api.js';
import type { Context } from '../../../command.js';
import { CliError } from '../../../errors.js';
import { appLabel } from '../../../output.js';

/** `paas pg:backups:restore`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
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
}
