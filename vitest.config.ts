import { defineConfig } from 'vitest/config';

// Vitest does not type-check: `npm test` runs `npm run typecheck` first.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    exclude: ['**/node_modules/**', 'data/**', 'client/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start real servers, shells and containers on a 2-core machine.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
