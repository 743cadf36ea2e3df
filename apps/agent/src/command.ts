/**
 * How a Procfile command is run: `/bin/sh -c COMMAND`, as Heroku runs it. A simple command
 * (no lists, pipes, subshells or redirections) is exec'd, so that the app itself is the
 * shell's replacement and receives SIGTERM: dash, unlike bash, would otherwise stay as the
 * parent, die of the signal and take the container down before the app's handler ran.
 */
const COMPOUND = /[;&|()<>`\n]/;

export function shellArgv(command: string): string[] {
  const trimmed = command.trim();
  const simple = !COMPOUND.test(trimmed) && !/^exec\s/.test(trimmed);
  return ['/bin/sh', '-c', simple ? `exec ${trimmed}` : trimmed];
}
