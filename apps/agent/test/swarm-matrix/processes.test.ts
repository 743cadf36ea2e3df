// The test matrix: ../processes.test.ts again, on the swarm runtime (a single-node Swarm).
import { useRuntime } from '@paas/testkit';
import { afterAll } from 'vitest';

useRuntime('swarm', afterAll);
await import('../processes.test.js');
