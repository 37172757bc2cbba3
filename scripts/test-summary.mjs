#!/usr/bin/env node
// Prints one plain "N passed, N failed" line from vitest's JSON reports, so any
// CI log reader can count the tests of both suites (unit and end-to-end).
import fs from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
for (const file of ['test-results/unit.json', 'test-results/e2e.json']) {
  if (!fs.existsSync(file)) {
    console.error(`missing ${file}: did the suite run?`)
    process.exit(1)
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + (report.numTodoTests ?? 0)
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
