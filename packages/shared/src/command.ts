/**
 * How a Procfile command is run: `/bin/sh -c COMMAND`, as Heroku runs it. A simple command
 * (no lists, pipes, subshells or redirections) is exec'd, so that the app itself is the
 * shell's replacement and receives SIGTERM: dash, unlike bash, would otherwise stay as the
 * parent, die of the signal and take the container down before the app's handler ran.
 * Leading variable assignments (`FOO=1 node x`) stay in front of the `exec`, where the shell
 * still passes them to the command; one with a quoted or expanded value is left alone.
 */
const COMPOUND = /[;&|()<>`\n]/;
const ASSIGNMENTS = /^((?:[A-Za-z_][A-Za-z0-9_]*=[^\s'"$\\]*\s+)*)(.*)$/s;

export function shellArgv(command: string): string[] {
  const trimmed = command.trim();
  const [, assignments = '', rest = ''] = ASSIGNMENTS.exec(trimmed) ?? [];
  const simple =
    !COMPOUND.test(trimmed) && rest !== '' && !/^exec\s/.test(rest) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest);
  return ['/bin/sh', '-c', simple ? `${assignments}exec ${rest}` : trimmed];
}
