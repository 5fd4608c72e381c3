// Add up the jest result files of one test run into a closing line.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const name of readdirSync(dir).filter(n => n.endsWith('.json'))) {
  let result;
  try {
    result = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  } catch {
    continue;
  }
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
}
// With --failed-step, a step failed: when no test of it failed (lint, a
// build, a test file that did not compile), the step counts as one failure.
if (process.argv.includes('--failed-step') && failed === 0) {
  failed = 1;
}
process.stdout.write(
  `${passed} passed, ${failed} failed, ${skipped} skipped\n`
);
process.exit(failed || passed === 0 ? 1 : 0);
