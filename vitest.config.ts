import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Trainer processes and tfjs are CPU-heavy; two cores, so keep files sequential-ish.
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: 'test-results/unit.json' }]],
  },
})
