import { defineConfig } from 'vitest/config'

/**
 * End-to-end tests: a real web host + Chromium (playwright-core). Slow and
 * stateful, so one file at a time, one test at a time, generous timeouts.
 * Run with `npm run test:e2e` (builds the renderer first).
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxConcurrency: 1,
    sequence: { concurrent: false },
    reporters: ['default', ['json', { outputFile: 'test-results/e2e.json' }]],
  },
})
