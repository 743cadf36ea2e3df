/**
 * A Swarm task's command, pure: the program as the agents run it (the image's ENTRYPOINT, then
 * the Procfile command or the image's CMD), confined (setpriv's no-new-privileges, the
 * non-root default) and behind the start gate that gives Swarm the agents' crash back-off.
 */
import { APP_USER, SWARM_GATE_FILE, shellArgv } from '@paas/shared';
import type { ImageFacts } from '../../docker-image-facts.js';

/**
 * The start gate, in front of the process in each task's command: the crash back-off Swarm
 * lacks (its restart policy has one fixed delay for every restart, and changing it rolls the
 * whole service). Swarm restarts a task at once; the gate waits for the node's agent to write
 * the seconds to wait into SWARM_GATE_FILE (0 unless the slot's process has been crashing: then 1,
 * 2, 4 … s, as the agents runtime waits), sleeps that long and execs the process. With no
 * word from an agent within about 5 s (none runs on the node, or it is down) it goes on
 * anyway, so tasks still start and restart, every ~5 s, without agents.
 */
export function gatedCommand(argv: string[], file = SWARM_GATE_FILE): string[] {
  const script = [
    'i=0',
    `while [ ! -s ${file} ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i+1)); done`,
    `if [ -s ${file} ]; then read -r d < ${file}; sleep "$d" 2>/dev/null; fi`,
    'exec "$@"',
  ].join('; ');
  return ['/bin/sh', '-c', script, 'paas-gate', ...argv];
}

/**
 * The task's command and user, confined as the agents' containers are where Docker 20.10's
 * services allow. The agents run the image's ENTRYPOINT with the Procfile command as its CMD;
 * Swarm's `Command` replaces the ENTRYPOINT and `Args` the CMD, so the Procfile command is
 * `Args`. Services have no no-new-privileges: with `setpriv` in the image the whole program
 * (ENTRYPOINT + command) runs under `setpriv --no-new-privs`, which every process the app
 * starts inherits (Docker's init, PID 1, stays outside: it only forwards signals and reaps).
 * Then the whole of it goes behind the start gate (gatedCommand: the crash back-off), so the
 * task's `Command` is the gate's shell and the program its arguments. An image not read
 * (no facts) keeps its ENTRYPOINT, with the Procfile command as `Args`, ungated.
 */
export function taskCommand(
  command: string | null,
  facts: ImageFacts | undefined,
): { container: { Command?: string[]; Args?: string[]; User?: string }; gated: boolean } {
  const argv = command === null ? null : shellArgv(command);
  const user = facts && facts.user.trim() === '' ? { User: APP_USER } : {};
  const program = facts ? [...(facts.entrypoint ?? []), ...(argv ?? facts.cmd ?? [])] : [];
  if (program.length === 0) return { container: { ...(argv ? { Args: argv } : {}), ...user }, gated: false };
  const confined = facts?.setpriv ? [facts.setpriv, '--no-new-privs', ...program] : program;
  return { container: { Command: gatedCommand(confined), ...user }, gated: true };
}
