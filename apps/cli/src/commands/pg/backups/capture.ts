import type { BackupResponse } from '@paas/shared';
import { appPath } from '../../../api.js';
import type { Context } from '../../../command.js';
import { appLabel } from '../../../output.js';
import { size } from './index.js';

/** `paas pg:backups:capture`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const [database] = ctx.args;
  const backup = await ctx.step(
    `Backing up ${database ?? 'DATABASE'} on ${appLabel(app)}`,
    () => ctx.api.post<BackupResponse>(appPath(app, '/pg-backups'), database ? { database } : {}),
    (b) => `done, ${b.name} (${size(b.size)})`,
  );
  if (ctx.wantsJson) return ctx.json(backup);
  ctx.out(`Backup ${backup.name} captured. Restore it with paas pg:backups:restore ${backup.name} --confirm ${app}`);
}
