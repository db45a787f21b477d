// Run from a package directory after its build: checks what `npm pack` would publish, and that
// both `import` and `require` of the built package load the same non-empty set of exports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

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

// Published types name only what users can import: every top-level declaration of a .d.ts is exported.
for (const { path } of pack.files) {
  if (!/\.d\.c?ts$/.test(path)) continue;
  const source = ts.createSourceFile(path, readFileSync(join(dir, path), 'utf8'), ts.ScriptTarget.Latest);
  const declared = new Set();
  const exported = new Set();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exported.add((element.propertyName ?? element.name).text);
      continue;
    }
    const names = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name.getText(source))
      : statement.name && ts.isIdentifier(statement.name)
        ? [statement.name.text]
        : [];
    const isExported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
    for (const name of names) (isExported ? exported : declared).add(name);
  }
  const leaked = [...declared].filter((name) => !exported.has(name));
  if (leaked.length > 0) problems.push(`${path} declares ${leaked.join(', ')} without exporting it (internal types leak into the published .d.ts)`);
}

if (problems.length > 0) {
  console.error(`${name}: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`${name}: publishes ${pack.files.length} files; import and require give ${esmKeys.length} exports`);
