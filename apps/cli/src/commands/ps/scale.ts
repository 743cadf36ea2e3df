import type { Formation } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { CliError } from '../../errors.js';
import { appLabel } from '../../output.js';

/** `paas ps:scale`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  if (ctx.args.length === 0) {
    const formation = await ctx.api.get<Formation[]>(appPath(app, '/formation'));
    if (ctx.wantsJson) return ctx.json(formation);
    return ctx.out(formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(' '));
  }
  const updates = ctx.args.map((arg) => {
    const m = /^([a-z][a-z0-9_-]*)(=|\+|-)(\d+)(?::([\w-]+))?$/.exec(arg);
    if (!m) throw new CliError(`${arg}: expected TYPE=N, TYPE+N or TYPE-N (e.g. web=3)`);
    const [, type, op, n, size] = m;
    return { type, quantity: op === '=' ? n : `${op}${n}`, ...(size ? { size } : {}) };
  });
  const formation = await ctx.step(
    `Scaling processes of ${appLabel(app)}`,
    () => ctx.api.patch<Formation[]>(appPath(app, '/formation'), { updates }),
    (f) =>
      `done, now running ${f
        .filter((x) => updates.some((u) => u.type === x.type))
        .map((x) => `${x.type} at ${x.quantity}:${x.size}`)
        .join(', ')}`,
  );
  if (ctx.wantsJson) ctx.json(formation);
}
