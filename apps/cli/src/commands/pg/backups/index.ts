import type { BackupResponse } from '@paas/shared';
import { appPath } from '../../../api.js';
import type { Context } from '../../../command.js';
import { columns, header } from '../../../output.js';

/** `paas pg:backups`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const backups = await ctx.api.get<BackupResponse[]>(appPath(app, '/pg-backups'));
  if (ctx.wantsJson) return ctx.json(backups);
  ctx.out(header(`${app} Backups`));
  if (!backups.length) {
    ctx.out('No backups. Capture one with paas pg:backups:capture');
    return;
  }
  const status = (b: BackupResponse) =>
    b.status === 'succeeded' ? `Completed ${b.finished_at}` : b.status === 'failed' ? `Failed: ${b.error}` : 'Running';
  ctx.out(
    columns([
      ['ID', 'Created at', 'Status', 'Size'],
      ...backups.map((b) => [b.name, b.created_at, status(b), size(b.size)]),
    ]),
  );
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)}kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)}MB`;
}
