import { defineConfig } from 'vitest/config';

// One run for the whole workspace: unit tests (src/**/*.test.ts) are fast and pure;
// integration tests (test/**/*.test.ts) use a real Docker engine, real git and real
// processes, so they get long timeouts and run a few files at a time.
export default defineConfig({
  resolve: { conditions: ['development'] },
  ssr: { resolve: { conditions: ['development'] } },
  test: {
    include: ['{apps,packages}/*/{src,test}/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 3,
    minWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './tools/summary-reporter.ts'],
    // What the test kit starts (processes, platforms' containers and images, temp dirs) is
    // recorded and swept after each file and at the end of the run, passed or failed.
    globalSetup: ['./packages/testkit/src/global-setup.ts'],
    setupFiles: ['./packages/testkit/src/after-file.ts'],
  },
});
