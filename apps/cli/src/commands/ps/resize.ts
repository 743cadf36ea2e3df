import type { Formation } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

/** `paas ps:resize`: see its entry in commands/index.ts. The api checks the size names. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  if (ctx.args.length === 0) {
    const formation = await ctx.api.get<Formation[]>(appPath(app, '/formation'));
    if (ctx.wantsJson) return ctx.json(formation);
    return ctx.out(formation.map((f) => `${f.type}=${f.size}`).join(' '));
  }
  const updates = ctx.args.map((arg) => {
    const m = /^([a-z][a-z0-9_-]*)=([\w-]+)$/.exec(arg);
    if (!m) throw new CliError(`${arg}: expected TYPE=SIZE (e.g. web=standard-2x)`);
    return { type: m[1], size: m[2] };
  });
  const formation = await ctx.step(
    `Resizing processes of ${appLabel(app)}`,
    () => ctx.api.patch<Formation[]>(appPath(app, '/formation'), { updates }),
    (f) =>
      `done, now ${f
        .filter((x) => updates.some((u) => u.type === x.type))
        .map((x) => `${x.type} at ${x.quantity}:${x.size}`)
        .join(', ')}`,
  );
  if (ctx.wantsJson) ctx.json(formation);
}
