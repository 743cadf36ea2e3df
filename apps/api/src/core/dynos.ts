/**
 * Dynos (Heroku's name for processes): as the runtime reports them, and restart and stop
 * requests. A restart is stored (a new generation: the runtime replaces the processes as it
 * does for a release); a stop is sent to the agents now (the processes come back, being still
 * wanted).
 */
import { notFound } from '../errors.js';
import type { AppRow } from '../store/rows.js';
import type { CoreDeps, ProcessControl } from './context.js';
import { restarted, stopped } from './events.js';
import type { Actor } from './releases.js';

export type Dyno = ReturnType<ProcessControl['dynos']>[number];

/** The app's processes, by type and number. */
export function listDynos(core: Pick<CoreDeps, 'orchestrator'>, app: AppRow): Dyno[] {
  return core.orchestrator.dynos(app);
}

/** One process, by name (web.1) or id (its container's, or its key before it has one). */
export function findDyno(core: Pick<CoreDeps, 'orchestrator'>, app: AppRow, nameOrId: string): Dyno {
  const dyno = listDynos(core, app).find((d) => d.name === nameOrId || (d.containerId ?? d.key) === nameOrId);
  if (!dyno) throw notFound("Couldn't find that dyno.");
  return dyno;
}

/** A process name (web.2) or type (web) of the app's current release, else not found. */
function checkScope(core: Pick<CoreDeps, 'orchestrator'>, app: AppRow, scope: string, oneOffs = false): void {
  if (oneOffs && listDynos(core, app).some((d) => d.oneOff && d.name === scope)) return;
  const types = core.orchestrator.processTypes(app);
  const type = scope.split('.')[0] ?? '';
  if (!types.has(type) || (scope.includes('.') && !/^[^.]+\.\d+$/.test(scope))) {
    throw notFound(
      `Couldn't find that process: ${scope}. This app has: ${[...types].join(', ') || 'no process types'}.`,
    );
  }
}

/** Restarts the app (scope ''), a type ('web') or one process ('web.2'). */
export function restart(
  core: Pick<CoreDeps, 'orchestrator' | 'logs' | 'log'>,
  app: AppRow,
  scope: string,
  actor: Actor,
) {
  if (scope) checkScope(core, app, scope);
  core.orchestrator.restart(app, scope);
  restarted(core.logs, app, scope, actor);
  core.log.info({ app: app.name, scope: scope || 'all' }, 'restart requested');
}

/** Stops a type's processes or one process now; returns how many were told to stop. */
export function stop(
  core: Pick<CoreDeps, 'orchestrator' | 'logs' | 'log'>,
  app: AppRow,
  scope: string,
  actor: Actor,
): number {
  checkScope(core, app, scope, true);
  const count = core.orchestrator.stop(app, scope);
  stopped(core.logs, app, scope, actor);
  core.log.info({ app: app.name, scope, count }, 'stop requested');
  return count;
}
