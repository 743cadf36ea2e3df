// The test matrix: ../boot-timeout.test.ts again, on the swarm runtime (a single-node Swarm).
import { useRuntime } from '@paas/testkit';
import { afterAll } from 'vitest';

useRuntime('swarm', afterAll);
await import('../boot-timeout.test.js');
