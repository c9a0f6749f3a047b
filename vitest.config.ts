import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Process-level tests spawn real servers; two cores cannot run many at once.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'row', include: ['test/**/*.test.ts'] } },
      // Both layouts pass the same SQL and storage tests: every table on tiny column blocks.
      {
        extends: true,
        test: {
          name: 'columnar',
          include: ['test/sql/**/*.test.ts', 'test/storage/**/*.test.ts'],
          env: { CHRONOS_TEST_LAYOUT: 'columnar' },
        },
      },
    ],
  },
});
