/**
 * The seam between "what should run" (the orchestrator: desired set, routes, `ps`) and "who
 * runs it". `AgentsDriver` places processes on paas agents; `SwarmDriver` turns the same
 * desired set into Swarm services (one-offs and add-ons still on agents). Every call is level-triggered: `apply` is given the whole desired
 * set each time and must converge to it, however often it is called.
 */
import type { DesiredProcess, DesiredService } from '@paas/shared';
import type { Dyno } from './dyno-view.js';

/** An add-on's service and the agent holding its volume (it never moves). */
export interface PlacedService {
  agentId: string;
  service: DesiredService;
}

export interface RuntimeDriver {
  /** Run exactly these processes (start what is missing, stop what is not in the set). */
  apply(wanted: DesiredProcess[], services: PlacedService[]): void;
  /** The processes as the runtime reports them now, every app. */
  reported(): Dyno[];
  /**
   * Whether `reported()` is whole yet: false until the driver's first look after the api
   * started (routes made from it before then would drop every process not seen yet).
   * Absent: always whole.
   */
  knows?(): boolean;
  /** Where each desired process (by key) was placed, for processes not reported yet. */
  placements(): Map<string, string>;
  /** Stop an app's processes now (a type or one process name); they come back if still wanted. */
  stop(appId: string, scope: string): number;
  /** Throws if a restart of this scope cannot be done now (before it is stored). */
  checkRestart?(appId: string, scope: string): void;
  /** Stops its timers (the api is stopping; what runs keeps running). */
  close?(): void;
}
