/**
 * Test helpers that use the real things: the api as its own process (as `pnpm start` runs
 * it) on a free loopback port with its own data dir, the real `paas` CLI as a child process,
 * and real git repositories pushed over HTTP. Everything they start is recorded and swept at
 * the end of each test file and of the run (sweep.ts).
 */
export * from './agent.js';
export * from './cli.js';
export * from './dind.js';
export * from './env.js';
export * from './fixtures.js';
export * from './git.js';
export * from './platform.js';
export * from './probe.js';
export * from './process-events.js';
export * from './registry.js';
export { ensureSwarm, removeServices, testRuntime, useRuntime } from './swarm.js';
/** Platform ids a test makes without the kit's platform (a store of its own): swept like theirs. */
export { recordPlatform } from './sweep.js';
export * from './tls.js';
export * from './use-platform.js';
export * from './wait.js';
