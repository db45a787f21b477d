// Prints one closing line with every package's vitest counts, read from their JSON reports.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'tools'];
let passed = 0;
let failed = 0;
let skipped = 0;
let projects = 0;
for (const root of roots) {
  for (const name of readdirSync(root)) {
    const report = join(root, name, '.vitest', 'results.json');
    if (!existsSync(report)) continue;
    const results = JSON.parse(readFileSync(report, 'utf8'));
    passed += results.numPassedTests;
    failed += results.numFailedTests;
    skipped += results.numPendingTests + results.numTodoTests;
    projects++;
  }
}
if (projects === 0 || passed === 0) {
  console.error('test summary: no vitest report found; did `npm run test:unit` run?');
  process.exit(1);
}
console.log(`tests in ${projects} projects:`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed === 0 ? 0 : 1);
