/** `paas run` arguments → the request's command and env. Pure. */
import { CliError } from './errors.js';

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One argument is the command as typed (`paas run "rake db:migrate"`); several are quoted for
 * /bin/sh where they need it, so `paas run -- sh -c 'echo $X; exit 3'` runs exactly that.
 */
export function commandOf(args: string[]): string {
  if (args.length === 1) return args[0] ?? '';
  return args.map((a) => (PLAIN.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/** `-e KEY=VALUE` (each flag one variable; the value may hold `=`). Keys are the API's to judge. */
export function envOf(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of values) {
    const at = v.indexOf('=');
    if (at <= 0) throw new CliError(`-e ${v}: expected KEY=VALUE`);
    env[v.slice(0, at)] = v.slice(at + 1);
  }
  return env;
}
