// Run after `npm run build`: a consumer's bundler can drop what it does not use from the built
// packages. Bundles `import { even } from '@dispenser/strategies'` from the built package with esbuild
// (bundle, minify, tree shaking) and fails if greedy's code is in it, and the other way round; checks
// that the `/*#__PURE__*/` marks on the top-level factory calls survive into dist (ESM and CJS); and
// lists every top-level call in the published ESM files that a bundler must keep because nothing
// says it is pure. A new one fails; the known ones below are printed until their sources are marked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
const problems = [];
const packages = readdirSync(join(root, 'packages')).sort();
const unbuilt = packages.filter((name) => !existsSync(join(root, 'packages', name, 'dist/index.js')));
if (unbuilt.length > 0) {
  console.error(`tree shaking: ${unbuilt.join(', ')} not built (run \`npm run build\` first)`);
  process.exit(1);
}

/**
 * Unmarked top-level calls known to be in the published code, as `<package>: <variable>`; each
 * should be marked `/*#__PURE__*\/` in its source (the notes name the file). Remove an entry once
 * that is done.
 */
const known = new Set([]);

/** `code` bundled as a consumer's entry point, resolved like a user would (no source condition). */
async function bundle(code, minifyIdentifiers) {
  const result = await esbuild.build({
    stdin: { contents: code, resolveDir: root, sourcefile: 'consumer.js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    treeShaking: true,
    minifySyntax: true,
    minifyWhitespace: true,
    minifyIdentifiers,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

// Each strategy, imported alone, brings its own name and code and none of the other's. The
// minified bundle is searched for the names the strategies give themselves; one that keeps
// identifiers, for their private functions.
const strategies = {
  even: { name: '"even"', functions: ['waterFill', 'spreadSingles'] },
  greedy: { name: '"greedy"', functions: ['fillInRandomOrder'] },
};
for (const [used, self] of Object.entries(strategies)) {
  const code = `import { ${used} } from '@dispenser/strategies';\nconsole.log(${used});\n`;
  const minified = await bundle(code, true);
  const readable = await bundle(code, false);
  if (!minified.includes(self.name)) problems.push(`a bundle of ${used} lacks ${self.name}: the check no longer sees the strategy it looks for`);
  for (const [other, them] of Object.entries(strategies)) {
    if (other === used) continue;
    const found = [
      ...(minified.includes(them.name) ? [them.name] : []),
      ...them.functions.filter((fn) => new RegExp(`\\b${fn}\\b`).test(readable)),
    ];
    if (found.length > 0) problems.push(`a minified bundle of \`import { ${used} }\` keeps ${other}'s code (${found.join(', ')})`);
  }
  console.log(`tree shaking: \`import { ${used} } from '@dispenser/strategies'\` bundles to ${minified.length} bytes`);
}

/** Whether a `/* @__PURE__ *\/` or `/*#__PURE__*\/` comment sits right before `node`. */
function isMarkedPure(node, source) {
  return /\/\*\s*[@#]__PURE__\s*\*\/\s*$/.test(source.text.slice(node.pos, node.getStart(source)));
}

/** The calls in `node` that run when it is evaluated (not inside functions or instance members). */
function unmarkedCalls(node, source, found = []) {
  if (ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node)) return found;
  if (ts.isPropertyDeclaration(node) && !node.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return found;
  if ((ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node)) && !isMarkedPure(node, source)) {
    found.push(node);
    return found;
  }
  ts.forEachChild(node, (child) => void unmarkedCalls(child, source, found));
  return found;
}

/** For each generated line of a source map, the source file its first mapped segment comes from. */
function sourcesByLine(map) {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const decode = (segment) => {
    const values = [];
    for (let i = 0, value = 0, shift = 0; i < segment.length; i++) {
      const digit = digits.indexOf(segment[i]);
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        values.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = shift = 0;
      }
    }
    return values;
  };
  let source = 0;
  return map.mappings.split(';').map((line) => {
    let first;
    for (const segment of line.split(',').filter(Boolean)) {
      const fields = decode(segment);
      if (fields.length < 4) continue;
      source += fields[1];
      // Later fields (original line and column) are relative too, but only the source is needed here.
      first ??= map.sources[source];
    }
    return first;
  });
}

/**
 * Top-level calls of a built file that a bundler must keep: `[{ source, name, call, line }]`, with
 * the source file each comes from (read from the file's source map) and the variable it
 * initializes (without the digits esbuild appends to tell apart equal names).
 */
function topLevelCalls(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const origins = sourcesByLine(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  const calls = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isFunctionDeclaration(statement)) continue;
    const names = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name.getText(source).replace(/\d+$/, ''))
      : ts.isClassDeclaration(statement) && statement.name
        ? [statement.name.text]
        : ['(statement)'];
    for (const call of unmarkedCalls(statement, source)) {
      const { line } = source.getLineAndCharacterOfPosition(call.getStart(source));
      const origin = origins[line] ? relative(root, resolve(dirname(file), origins[line])) : '(unmapped)';
      calls.push({ source: origin, name: names.join(', '), call: call.getText(source).replace(/\s+/g, ' ').slice(0, 60), line: line + 1 });
    }
  }
  return calls;
}

// The factory calls behind `even` and `greedy` keep their marks through tsup, in ESM and CJS.
for (const file of ['index.js', 'index.cjs']) {
  const text = readFileSync(join(root, 'packages/strategies/dist', file), 'utf8');
  for (const factory of ['createEven', 'createGreedy']) {
    if (!new RegExp(`=\\s*/\\*\\s*[@#]__PURE__\\s*\\*/\\s*${factory}\\(\\)`).test(text)) {
      problems.push(`packages/strategies/dist/${file}: the top-level ${factory}() call is not marked /* @__PURE__ */`);
    }
  }
}

// Every published ESM file: a top-level call nothing marks pure stays in every consumer's bundle.
const seen = new Set();
for (const name of packages) {
  const dist = join(root, 'packages', name, 'dist');
  for (const file of readdirSync(dist).filter((f) => f.endsWith('.js')).sort()) {
    const path = relative(root, join(dist, file));
    for (const { source, name: variable, call, line } of topLevelCalls(join(dist, file))) {
      const key = `${name}: ${variable}`;
      if (seen.has(`${key} ${source}`)) continue;
      seen.add(key);
      seen.add(`${key} ${source}`);
      const what = `${path}:${line} ${variable} = ${call}...`;
      if (known.has(key)) console.log(`note: ${what} stays in every bundle; mark it /*#__PURE__*/ in ${source}`);
      else problems.push(`${what} is not marked /*#__PURE__*/ in ${source}, so every bundle keeps it`);
    }
  }
}
for (const key of known) if (!seen.has(key)) console.log(`note: ${key} is marked now; remove it from the known list of ${relative(root, import.meta.filename)}`);

if (problems.length > 0) {
  console.error(`tree shaking:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('tree shaking: even and greedy are bundled apart, their factory calls stay marked pure in ESM and CJS');
