import { formatLogLine, type LogEntryResponse } from '@paas/shared';
import { appPath } from '../api.js';
import type { Context } from '../command.js';
import { env } from '../env.js';
import { CliError } from '../errors.js';

const COLOURS = [36, 33, 32, 35, 34, 91, 92, 93, 94, 95, 96];

/** The same colour for a process every time (by name), as Heroku's CLI does. */
function colour(text: string, process: string): string {
  let hash = 0;
  for (const ch of process.replace(/\.\d+$/, '')) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `\x1b[${COLOURS[hash % COLOURS.length]}m${text}\x1b[0m`;
}

/** `paas logs`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const app = await ctx.app();
  const num = ctx.flag('num');
  if (num !== undefined && !/^\d+$/.test(num)) throw new CliError(`--num ${num}: expected a whole number of lines`);
  const session = await ctx.api.post<{ logplex_url: string }>(appPath(app, '/log-sessions'), {
    ...(num !== undefined ? { lines: Number(num) } : {}),
    tail: ctx.flags.tail === true,
    ...(ctx.flag('ps') || ctx.flag('dyno') ? { dyno: ctx.flag('ps') ?? ctx.flag('dyno') } : {}),
    ...(ctx.flag('source') ? { source: ctx.flag('source') } : {}),
  });
  let response: Response;
  try {
    response = await fetch(session.logplex_url, { headers: { accept: 'application/x-ndjson' } });
  } catch (err) {
    throw new CliError(`Cannot read the log stream (${(err as Error).message}).`);
  }
  if (!response.ok || !response.body) throw new CliError(`The log stream answered ${response.status}.`);
  const print = (text: string) => {
    if (!text) return;
    const entry = JSON.parse(text) as LogEntryResponse;
    if (ctx.wantsJson) return ctx.out(JSON.stringify(entry));
    const line = formatLogLine(entry);
    ctx.out(env.color ? colour(line, entry.process) : line);
  };
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of response.body) {
    rest += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) print(l);
  }
  print(rest);
}
