/**
 * Stopping one container, as Heroku does: out of routing with its in-flight requests done
 * (`beforeStop`), SIGTERM, SIGKILL after its stop timeout (at once past a boot timeout: R10),
 * the exit said in the app's log (R12 when it had to be killed), its output read, removed.
 */
import { LABELS } from '@paas/shared';
import type { Logger } from './logger.js';
import { EVENTS } from './logs/events.js';
import type { StopReason } from './plan.js';
import type { ContainerInfo, Runtime } from './runtime/runtime.js';

export interface StopDeps {
  runtime: Runtime;
  log: Logger;
  beforeStop?: (container: ContainerInfo) => Promise<void>;
  beforeRemove?: (container: ContainerInfo) => Promise<void>;
  onEvent?: (app: string, process: string, line: string) => void;
}

/** Resolves with the exit status once the container is stopped and removed; throws if not. */
export async function stopContainer(deps: StopDeps, c: ContainerInfo, reason: StopReason): Promise<number | null> {
  const { runtime, log } = deps;
  const kill = reason === 'boot-timeout';
  const timeout = kill ? 0 : Number(c.labels[LABELS.stopTimeout] ?? 30) || 30;
  const app = c.labels[LABELS.app] ?? '';
  const name = c.labels[LABELS.name] ?? '';
  const say = (line: string) => deps.onEvent?.(app, name, line);
  log.info({ process: name, app, container: c.id.slice(0, 12), timeout, reason }, 'stopping');
  const started = Date.now();
  if (!kill) await deps.beforeStop?.(c);
  if (reason === 'timeout') say(EVENTS.runTimeout(Number(c.labels[LABELS.runTimeout] ?? 0)));
  say(kill ? 'Stopping process with SIGKILL' : 'Stopping process with SIGTERM');
  await runtime.stop(c.id, timeout);
  const after = await runtime.inspect(c.id);
  const exitCode = after?.exitCode ?? null;
  if (!kill && exitCode === 137 && Date.now() - started >= timeout * 1000) {
    say(`Error R12 (Exit timeout) -> Process failed to exit within ${timeout} seconds of SIGTERM`);
    say('Stopping process with SIGKILL');
  }
  say(EVENTS.exited(exitCode));
  if (c.labels[LABELS.oneOff] !== undefined) say(EVENTS.complete('up'));
  log.info({ process: name, app, exitCode, ms: Date.now() - started }, 'stopped');
  await deps.beforeRemove?.(c);
  await runtime.remove(c.id);
  return exitCode;
}
