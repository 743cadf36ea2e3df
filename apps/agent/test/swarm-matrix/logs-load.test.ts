// The test matrix: ../logs-load.test.ts again, on the swarm runtime (a single-node Swarm).
import { useRuntime } from '@paas/testkit';
import { afterAll } from 'vitest';

useRuntime('swarm', afterAll);
await import('../logs-load.test.js');
