import { createInterface } from 'node:readline';
import type { Account } from '@paas/shared';
import { Api } from '../api.js';
import type { Context } from '../command.js';
import { apiUrl, saveLogin } from '../credentials.js';
import { env } from '../env.js';
import { CliError } from '../errors.js';

async function readToken(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text.trim();
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write('API token: ');
  // Keep the token off the screen.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  const token = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return token.trim();
}

/** `paas login`: see its entry in commands/index.ts. */
export async function run(ctx: Context): Promise<void> {
  const url = (ctx.flag('api-url') ?? apiUrl()).replace(/\/+$/, '');
  try {
    new URL(url);
  } catch {
    throw new CliError(`--api-url: ${url} is not a URL (e.g. http://127.0.0.1:5000)`);
  }
  const token = ctx.flag('token') ?? env.apiToken ?? (await readToken());
  if (!token) throw new CliError('No token given: pass --token, set PAAS_API_TOKEN, or type it at the prompt.');
  const account = await new Api(url, token).get<Account>('/account');
  saveLogin(url, account.email, token);
  ctx.err(`Logged in to ${url} as ${account.email}`);
}
