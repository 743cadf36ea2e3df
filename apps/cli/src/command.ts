/**
 * A command is an entry of commands/index.ts — a name (`topic:verb`), help text, its flags in
 * node:util parseArgs form — and one file under commands/ whose run(ctx) it loads when the
 * command runs (so `paas help` and every other command load none of its imports). Data goes
 * to stdout, progress to stderr.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { Api } from './api.js';
import { CliError } from './errors.js';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  name: string;
  description: string;
  usage?: string;
  examples?: string[];
  flags?: FlagSpec;
  /** Takes the app from -a/--app or the git remote. */
  needsApp?: boolean;
  /** Accepts --json. */
  json?: boolean;
  /** How many positional arguments: [min, max] (max Infinity for any). */
  args?: [number, number];
  /** Its implementation: the module that runs it (loaded only when it runs). */
  load(): Promise<{ run(ctx: Context): Promise<void> }>;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export class Context {
  private apiClient?: Api;

  constructor(
    readonly command: Command,
    readonly flags: FlagValues,
    readonly args: string[],
    readonly io: Io,
  ) {}

  get api(): Api {
    this.apiClient ??= Api.fromEnvironment();
    return this.apiClient;
  }

  get wantsJson(): boolean {
    return this.flags.json === true;
  }

  flag(name: string): string | undefined {
    const value = this.flags[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** The app: -a/--app, else the app of the git remote (-r/--remote, default `paas`). */
  async app(): Promise<string> {
    const given = this.flag('app');
    if (given) return given;
    const { appFromRemoteUrl, DEFAULT_REMOTE, remoteUrl } = await import('./git.js'); // simple-git: only here
    const remote = this.flag('remote') ?? DEFAULT_REMOTE;
    const url = await remoteUrl(remote);
    const app = url ? appFromRemoteUrl(url) : undefined;
    if (!app) {
      throw new CliError(
        `No app specified: pass -a APP, or run this inside a git repository with a "${remote}" remote (paas git:remote -a APP).`,
      );
    }
    return app;
  }

  out(text = ''): void {
    this.io.stdout(`${text}\n`);
  }

  err(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  /** "Doing X... done, v4" on stderr around an action. */
  async step<T>(label: string, action: () => Promise<T>, done: (result: T) => string = () => 'done'): Promise<T> {
    this.io.stderr(`${label}... `);
    try {
      const result = await action();
      this.io.stderr(`${done(result)}\n`);
      return result;
    } catch (err) {
      this.io.stderr('failed\n');
      throw err;
    }
  }
}

const GLOBAL_FLAGS: FlagSpec = { help: { type: 'boolean', short: 'h' } };
const APP_FLAGS: FlagSpec = {
  app: { type: 'string', short: 'a' },
  remote: { type: 'string', short: 'r' },
};
const JSON_FLAG: FlagSpec = { json: { type: 'boolean' } };

export function flagSpecOf(command: Command): FlagSpec {
  return {
    ...GLOBAL_FLAGS,
    ...(command.needsApp ? APP_FLAGS : {}),
    ...(command.json ? JSON_FLAG : {}),
    ...command.flags,
  };
}

export function parseCommandLine(command: Command, argv: string[]): { flags: FlagValues; args: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: flagSpecOf(command),
      allowPositionals: true,
      strict: true,
    });
    const [min, max] = command.args ?? [0, 0];
    if (!values.help && (positionals.length < min || positionals.length > max)) {
      const expected =
        max === Number.POSITIVE_INFINITY ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
      throw new CliError(
        `${command.name} takes ${expected} argument${max === 1 ? '' : 's'}, got ${positionals.length}.\nUsage: paas ${command.usage ?? command.name}`,
      );
    }
    return { flags: values as FlagValues, args: positionals };
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${(err as Error).message}\nUsage: paas ${command.usage ?? command.name}`);
  }
}
