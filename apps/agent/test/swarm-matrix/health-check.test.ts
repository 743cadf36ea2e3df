// The test matrix: ../health-check.test.ts again, on the swarm runtime (a single-node Swarm).
import { useRuntime } from '@paas/testkit';
import { afterAll } from 'vitest';

useRuntime('swarm', afterAll);
await import('../health-check.test.js');
