/**
 * What core's use cases are given: the store, the api's log, the apps' log, the git
 * repositories, image collection, the builder, the drain senders and the process runtime.
 * The api's Deps (deps.ts) are a superset, so routes pass theirs as is.
 */
import type { GitRepos } from '../git/repos.js';
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import type { Builder } from './builds.js';
import type { DrainManager } from './drains.js';
import type { ImageCollector } from './images.js';
import type { KeyedMutex } from './locks.js';
import type { LogRouter } from './logs.js';
import type { Orchestrator } from './orchestrator.js';
import type { ReleasePhases } from './release-phase.js';
import type { ReleaseOutputTokens } from './release-tokens.js';
import type { Rendezvous } from './rendezvous.js';

/**
 * What the use cases need of whoever runs the processes (today the Orchestrator and its
 * agents): `poke` after every stored change to what should run or be routed, and the few
 * things only the runtime knows or does (the processes as reported, restart, stop).
 */
export type ProcessControl = Pick<Orchestrator, 'poke' | 'restart' | 'stop' | 'dynos' | 'processTypes' | 'canRun'>;

export interface CoreDeps {
  db: Db;
  log: Logger;
  logs: LogRouter;
  repos: GitRepos;
  images: ImageCollector;
  builder: Builder;
  drains: DrainManager;
  orchestrator: ProcessControl;
  /** Attached one-offs' sessions (core/rendezvous.ts). */
  rendezvous: Rendezvous;
  /** One change to an app at a time (a push's build and release phase, a config change, a rollback). */
  locks: KeyedMutex;
  phases: ReleasePhases;
  /** Signs the release output URLs. */
  outputTokens: ReleaseOutputTokens;
}
