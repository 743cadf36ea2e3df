/**
 * The `agents` runtime: paas agents run the processes. Each converge places the desired set
 * on the live agents (placement.ts; a process stays where it is while its agent lives),
 * remembers the placements in the store, and sends each connected agent its whole share.
 */
import type { DesiredProcess } from '@paas/shared';
import type { Logger } from '../../logger.js';
import type { Db } from '../../store/db.js';
import { loadPlacements, savePlacements } from '../../store/processes.js';
import type { AgentRegistry } from './agent-registry.js';
import type { PlacedService, RuntimeDriver } from './driver.js';
import type { Dyno } from './dyno-view.js';
import { place } from './placement.js';

export class AgentsDriver implements RuntimeDriver {
  constructor(private readonly deps: { db: Db; log: Logger; agents: AgentRegistry }) {}

  apply(wanted: DesiredProcess[], services: PlacedService[] = []): void {
    const { db, log, agents } = this.deps;
    const previous = loadPlacements(db);
    const placed = place(wanted, agents.alive(), previous);
    const moved = [...placed].filter(([key, agent]) => previous.has(key) && previous.get(key) !== agent);
    if (moved.length) log.warn({ moved: moved.length }, 'placed processes of an unreachable agent elsewhere');
    savePlacements(
      db,
      new Map(
        wanted
          .filter((w) => placed.has(w.key))
          .map((w) => [w.key, { agentId: placed.get(w.key) ?? '', appId: w.appId }]),
      ),
    );
    for (const id of agents.connectedIds()) {
      agents.sendDesired(
        id,
        wanted.filter((w) => placed.get(w.key) === id),
        services.filter((s) => s.agentId === id).map((s) => s.service),
      );
    }
  }

  reported(): Dyno[] {
    return this.deps.agents.reported();
  }

  placements(): Map<string, string> {
    return loadPlacements(this.deps.db);
  }

  stop(appId: string, scope: string): number {
    return this.deps.agents.stop((s) => s.appId === appId && (scope === s.type || scope === s.name));
  }
}
