import { appPath } from '../../api.js';
import type { Context } from '../../command.js';
import { header, keyValues } from '../../output.js';

const shellQuote = (value: string) => (/^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`);

/** `paas config`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const vars = await ctx.api.get<Record<string, string>>(appPath(app, '/config-vars'));
  if (ctx.wantsJson) return ctx.json(vars);
  const entries = Object.entries(vars).sort(([a], [b]) => a.localeCompare(b));
  if (ctx.flags.shell) {
    for (const [k, v] of entries) ctx.out(`${k}=${shellQuote(v)}`);
    return;
  }
  ctx.out(header(`${app} Config Vars`));
  if (entries.length) ctx.out(keyValues(entries));
}
