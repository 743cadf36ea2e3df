import type { Release } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { columns, header, shortTime } from '../../output.js';

/** As the Heroku CLI words a release's status beside its description. */
const STATUS = { pending: 'release command executing', failed: 'release command failed' } as const;

/** `paas releases`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const num = ctx.flag('num');
  if (num !== undefined && !/^[1-9]\d*$/.test(num)) throw new CliError(`--num: expected a positive number, got ${num}`);
  const all = await ctx.api.get<Release[]>(appPath(app, '/releases'));
  const releases = num ? all.slice(0, Number(num)) : all;
  if (ctx.wantsJson) return ctx.json(releases);
  const current = all.find((r) => r.current);
  ctx.out(header(`${app} Releases${current ? ` - Current: v${current.version}` : ''}`));
  if (releases.length === 0) return ctx.out(`${app} has no releases.`);
  ctx.out(
    columns(
      releases.map((r) => [
        `v${r.version}`,
        r.status === 'succeeded' ? r.description : `${r.description} (${STATUS[r.status]})`,
        r.user.email,
        shortTime(r.created_at),
      ]),
    ),
  );
}
