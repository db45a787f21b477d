// Prints one closing line with every package's vitest counts, read from their JSON reports.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'tools'];
/** Every project folder: each one under `roots`, and `examples` (one project for all examples). */
const folders = [...roots.flatMap((root) => readdirSync(root).map((name) => join(root, name))), 'examples'];
let passed = 0;
let failed = 0;
let skipped = 0;
let projects = 0;
for (const folder of folders) {
  const report = join(folder, '.vitest', 'results.json');
  if (!existsSync(report)) continue;
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  skipped += results.numPendingTests + results.numTodoTests;
  projects++;
}
if (projects === 0 || passed === 0) {
  console.error('test summary: no vitest report found; did `npm run test:unit` run?');
  process.exit(1);
}
console.log(`tests in ${projects} projects:`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed === 0 ? 0 : 1);
