import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/{unit,api,storage,importers,exchange}/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // a loaded CI machine can take seconds to lay out and draw: poll for state, don't race it
          expect: { poll: { timeout: 15_000, interval: 50 } },
        },
      },
    ],
  },
});
