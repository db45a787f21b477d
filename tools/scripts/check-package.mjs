// Run from a package directory after its build: checks what `npm pack` would publish, that every
// entry point of `exports` loads the same non-empty set of exports through `import` and `require`
// (and that an ESM-only entry point offers no `require` at all), and what the published files contain.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

const dir = process.cwd();
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const { name } = manifest;
const problems = [];

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }));
const packed = new Set(pack.files.map((f) => f.path));
const allowed = /^(dist\/.+|package\.json|README\.md|CHANGELOG\.md|LICENSE)$/;
for (const path of packed) if (!allowed.test(path)) problems.push(`npm pack would publish ${path}`);
for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.cjs']) {
  if (!packed.has(required)) problems.push(`npm pack would not publish ${required}`);
}

/** Every file a condition of `target` points at (the source condition excepted: it is not published). */
function targets(target, out = []) {
  if (typeof target === 'string') out.push(target.replace(/^\.\//, ''));
  else if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) if (condition !== '@dispenser/source') targets(value, out);
  }
  return out;
}
const pointedAt = [...['main', 'module', 'types'].flatMap((field) => targets(manifest[field])), ...Object.values(manifest.exports ?? {}).flatMap((target) => targets(target))];
for (const path of new Set(pointedAt)) {
  if (!packed.has(path)) problems.push(`package.json points at ${path}, which npm pack would not publish`);
}

// Each entry point, resolved by name from the package's own directory as a user would (no source
// condition). With a `require` condition, import() and require() must give the same exports; without
// one (an ESM-only entry point, such as one that imports vitest), require() must fail to resolve
// instead of loading a file that can only throw, and no CommonJS build of it may be published.
const require = createRequire(join(dir, 'package.json'));
const entries = Object.entries(manifest.exports ?? { '.': manifest.main }).filter(([subpath]) => subpath !== './package.json');
const summary = [];
for (const [subpath, target] of entries) {
  const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
  const conditions = target && typeof target === 'object' ? Object.keys(target) : ['import', 'require'];
  let esmKeys;
  try {
    const esm = await import(import.meta.resolve(specifier, `file://${dir}/`));
    esmKeys = Object.keys(esm).filter((k) => k !== 'default').sort();
    if (esmKeys.length === 0) problems.push(`import('${specifier}') gave no exports`);
  } catch (error) {
    problems.push(`import('${specifier}') throws: ${error.message.split('\n')[0]}`);
  }
  let cjs;
  try {
    cjs = require(specifier);
  } catch (error) {
    if (conditions.includes('require')) problems.push(`require('${specifier}') throws: ${error.message.split('\n')[0]}`);
    else if (error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') problems.push(`require('${specifier}') of an ESM-only entry point fails with ${error.code ?? error.message.split('\n')[0]} instead of not resolving`);
    else summary.push(`${subpath} ${esmKeys?.length ?? 0} (ESM only)`);
    continue;
  }
  if (!conditions.includes('require')) {
    problems.push(`require('${specifier}') loads although the entry point is ESM-only`);
    continue;
  }
  const cjsKeys = Object.keys(cjs).sort();
  if (esmKeys && esmKeys.join() !== cjsKeys.join()) problems.push(`import() and require() of '${specifier}' differ: [${esmKeys}] vs [${cjsKeys}]`);
  summary.push(`${subpath} ${cjsKeys.length}`);
}
for (const [subpath, target] of entries) {
  if (!target || typeof target !== 'object' || 'require' in target) continue;
  for (const base of new Set(targets(target).map((path) => path.replace(/\.(d\.ts|js)$/, '')))) {
    for (const cjsFile of [`${base}.cjs`, `${base}.cjs.map`, `${base}.d.cts`]) {
      if (packed.has(cjsFile)) problems.push(`npm pack would publish ${cjsFile}, a CommonJS build of the ESM-only entry point ${subpath}`);
    }
  }
}

// Published source maps map to positions only: the sources themselves are not in the tarball twice.
for (const path of packed) {
  if (!path.endsWith('.map')) continue;
  const { sourcesContent } = JSON.parse(readFileSync(join(dir, path), 'utf8'));
  const embedded = (sourcesContent ?? []).filter((content) => typeof content === 'string' && content.length > 0).length;
  if (embedded > 0) problems.push(`${path} embeds ${embedded} source file(s) in sourcesContent`);
}

// Published types name only what users can import: every top-level declaration of a .d.ts is
// exported. (A `declare global` block augments the globals the types use; it names nothing new.)
for (const path of packed) {
  if (!/\.d\.c?ts$/.test(path)) continue;
  const source = ts.createSourceFile(path, readFileSync(join(dir, path), 'utf8'), ts.ScriptTarget.Latest);
  const declared = new Set();
  const exported = new Set();
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exported.add((element.propertyName ?? element.name).text);
      continue;
    }
    if (ts.isModuleDeclaration(statement) && (statement.flags & ts.NodeFlags.GlobalAugmentation) !== 0) continue;
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
  console.error(`${name}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
console.log(
  `${name}: publishes ${pack.files.length} files (${kb(pack.size)} packed, ${kb(pack.unpackedSize)} unpacked); ` +
    `exports by entry point, the same through import and require: ${summary.join(', ')}`,
);
