// Run from a package directory after its build: checks what `npm pack` would publish, and that
// both `import` and `require` of the built package load the same non-empty set of exports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const dir = process.cwd();
const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }));
const allowed = /^(dist\/.+|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/;
for (const { path } of pack.files) if (!allowed.test(path)) problems.push(`npm pack would publish ${path}`);
for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.cjs']) {
  if (!pack.files.some((f) => f.path === required)) problems.push(`npm pack would not publish ${required}`);
}

// Resolve the package by name from its own directory, as a user would (no source condition).
const esm = await import(import.meta.resolve(name, `file://${dir}/`));
const cjs = createRequire(join(dir, 'package.json'))(name);
const esmKeys = Object.keys(esm).filter((k) => k !== 'default').sort();
const cjsKeys = Object.keys(cjs).sort();
if (esmKeys.length === 0) problems.push('import() gave no exports');
if (esmKeys.join() !== cjsKeys.join()) problems.push(`import() and require() differ: [${esmKeys}] vs [${cjsKeys}]`);

if (problems.length > 0) {
  console.error(`${name}: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`${name}: publishes ${pack.files.length} files; import and require give ${esmKeys.length} exports`);
