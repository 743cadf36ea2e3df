import type { DynoResponse } from '@paas/shared';
import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { columns, header, shortTime } from '../../output.js';

/** `paas ps`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const dynos = await ctx.api.get<DynoResponse[]>(appPath(app, '/dynos'));
  if (ctx.wantsJson) return ctx.json(dynos);
  if (dynos.length === 0) return ctx.out(`No processes are running for ${app}: scale one up with paas ps:scale web=1`);
  const byType = new Map<string, DynoResponse[]>();
  for (const d of dynos) byType.set(d.type, [...(byType.get(d.type) ?? []), d]);
  for (const [type, list] of byType) {
    const oneOffs = type === 'run';
    ctx.out(
      header(
        oneOffs
          ? `run: one-off processes (${list.length})`
          : `${type} (${sizesOf(list)}): ${list[0]?.command ?? ''} (${list.length})`,
      ),
    );
    ctx.out(
      columns(
        list.map((d) => [
          d.name,
          d.state === 'crashed' && d.exit_code !== null ? `crashed (exit ${d.exit_code})` : d.state,
          shortTime(d.updated_at),
          `v${d.release.version}`,
          d.agent,
          ...(oneOffs ? [d.size, d.command] : []),
        ]),
      ),
    );
    ctx.out();
  }
}

/** The dyno sizes a type's processes run with (two while a resize rolls). */
function sizesOf(list: DynoResponse[]): string {
  return [...new Set(list.map((d) => d.size))].join('/');
}
