/** `paas COMMAND [ARGS] [FLAGS]`: finds the command, parses its flags, runs it. */
import { type Command, Context, flagSpecOf, type Io, parseCommandLine } from './command.js';
import { commands } from './commands/index.js';
import { CliError } from './errors.js';

const ALIASES: Record<string, string> = {
  'apps:list': 'apps',
  create: 'apps:create',
  destroy: 'apps:destroy',
  info: 'apps:info',
};

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: paas COMMAND [ARGS] [FLAGS]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.description}`),
    '',
    'The app comes from -a/--app, or from the `paas` git remote of the current repository.',
    'Environment: PAAS_API_URL and PAAS_API_TOKEN override what `paas login` saved.',
  ].join('\n');
}

function help(command: Command): string {
  const flags = Object.entries(flagSpecOf(command)).map(
    ([name, spec]) => `  ${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' VALUE' : ''}`,
  );
  return [
    `Usage: paas ${command.usage ?? command.name}`,
    '',
    command.description,
    '',
    'Flags:',
    ...flags,
    ...(command.examples?.length ? ['', 'Examples:', ...command.examples.map((e) => `  $ ${e}`)] : []),
  ].join('\n');
}

const stdio: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? commands.find((c) => c.name === (ALIASES[topic] ?? topic)) : undefined;
    io.stdout(`${command ? help(command) : usage()}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === (ALIASES[name] ?? name));
  if (!command) {
    io.stderr(`Error: ${name} is not a paas command. See \`paas help\`.\n`);
    return 127;
  }
  try {
    const { flags, args } = parseCommandLine(command, rest);
    if (flags.help) {
      io.stdout(`${help(command)}\n`);
      return 0;
    }
    const { run } = await command.load();
    await run(new Context(command, flags, args, io));
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      if (err.message) io.stderr(`Error: ${err.message}\n`); // none: an exit status passed on
      return err.exitCode;
    }
    io.stderr(`Error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
