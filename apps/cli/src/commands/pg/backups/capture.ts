import type { BackupResponse } from '@paas/shared';
import { appPath } from '../../../api.js';
import { defineCommand } from '../../../command.js';
import { appLabel } from '../../../output.js';
import { size } from './index.js';

export default defineCommand({
  name: 'pg:backups:capture',
  description: "capture a backup (pg_dump -Fc) of the app's database, kept by the platform",
  usage: 'pg:backups:capture [DATABASE]',
  args: [0, 1],
  needsApp: true,
  json: true,
  async run(ctx) {
    const app = await ctx.app();
    const [database] = ctx.args;
    const backup = await ctx.step(
      `Backing up ${database ?? 'DATABASE'} on ${appLabel(app)}`,
      () => ctx.api.post<BackupResponse>(appPath(app, '/pg-backups'), database ? { database } : {}),
      (b) => `done, ${b.name} (${size(b.size)})`,
    );
    if (ctx.wantsJson) return ctx.json(backup);
    ctx.out(`Backup ${backup.name} captured. Restore it with paas pg:backups:restore ${backup.name} --confirm ${app}`);
  },
});
