// Type-checks the TSDoc `@example` blocks of the packages: a ```ts block with an `import` statement is
// a complete example and must compile; one without is a fragment illustrating a call and is skipped.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
const scratch = join(root, 'tools/scripts/.examples');

/** Production sources of every package: `packages/<name>/src/**.ts`, without tests and `src/test/`. */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'test') walk(path);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
    }
  };
  for (const name of readdirSync(join(root, 'packages'))) walk(join(root, 'packages', name, 'src'));
  return files.sort();
}

/**
 * The ```ts blocks after `@example` tags in the doc comments of `text`, numbered from 1 in the file,
 * each with the (1-based) line of its first code line, and whether it is complete (has an import).
 */
function extractExamples(source, text) {
  const examples = [];
  let inComment = false;
  let inExample = false;
  let block;
  text.split('\n').forEach((raw, i) => {
    if (!inComment) {
      inComment = /^\s*\/\*\*/.test(raw) && !raw.includes('*/');
      return;
    }
    const line = raw.replace(/^\s*\*(?!\/) ?/, '');
    if (block) {
      if (/^```\s*$/.test(line)) {
        const code = block.lines.join('\n');
        const { statements } = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest);
        examples.push({ ...block, code, complete: statements.some(ts.isImportDeclaration) });
        block = undefined;
      } else block.lines.push(line);
    } else if (/^\s*\*\//.test(raw) || raw.includes('*/')) {
      inComment = inExample = false;
    } else if (/^@\w+/.test(line)) {
      inExample = line.startsWith('@example');
    } else if (inExample && /^```(ts|typescript)\s*$/.test(line)) {
      block = { source, index: examples.length + 1, line: i + 2, lines: [] };
    }
  });
  return examples;
}

/**
 * Type-checks `examples` in one program with the workspace's compiler options (unused values allowed),
 * and returns the diagnostics of each, mapped back to the line in its source file.
 */
function checkExamples(examples) {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  Object.assign(options, { noUnusedLocals: false, noUnusedParameters: false, noEmit: true });
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const byFile = new Map();
    for (const example of examples) {
      const name = `${example.source.replace(/^packages\//, '').replace(/\/src\//, '-').replace(/\.ts$/, '').replace(/\W+/g, '-')}-${example.index}.ts`;
      const file = join(scratch, name);
      writeFileSync(file, `${example.code}\nexport {};\n`);
      byFile.set(file, example);
    }
    const program = ts.createProgram([...byFile.keys()], options);
    const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(
      (d) => `compiler options: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`,
    );
    const found = [];
    for (const [file, example] of byFile) {
      const sourceFile = program.getSourceFile(file);
      for (const d of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
        const { line } = sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
        const message = ts.flattenDiagnosticMessageText(d.messageText, '\n    ');
        found.push({ example, code: d.code, text: `${example.source}:${example.line + line} (example ${example.index}): TS${d.code} ${message}` });
      }
    }
    return { problems, found };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The self-check probe: a fragment with a type error (skipped) and a complete example that awaits at
// the top level (allowed) and has one type error, which must be reported on its own line.
const probeSource = 'packages/core/src/__example_probe__.ts';
const probeText = [
  '/**',
  ' * @example',
  ' * ```ts',
  " * const skipped: number = 'a fragment';",
  ' * ```',
  ' * @example',
  ' * ```ts',
  " * import { RingBuffer } from '@dispenser/core';",
  ' * const ring = await Promise.resolve(new RingBuffer<string>(2));',
  ' * const wrong: RingBuffer<number> = ring;',
  ' * ```',
  ' */',
  'export const probe = 1;',
].join('\n');
const probeExpected = `${probeSource}:10 (example 2): TS2322`;

const selfCheckOnly = process.argv.includes('--self-check');
const examples = extractExamples(probeSource, probeText);
if (!selfCheckOnly) {
  for (const file of sourceFiles()) {
    const source = relative(root, file).split('\\').join('/');
    examples.push(...extractExamples(source, readFileSync(file, 'utf8')));
  }
}
const complete = examples.filter((example) => example.complete);
const skipped = examples.length - complete.length;
const { problems, found } = checkExamples(complete);

const probeFound = found.filter((f) => f.example.source === probeSource).map((f) => f.text);
if (probeFound.length !== 1 || !probeFound[0].startsWith(probeExpected)) {
  problems.unshift(`self-check: expected exactly "${probeExpected} ..." for the probe, got:\n  ${probeFound.join('\n  ') || '(nothing)'}`);
} else {
  console.log('examples self-check: the probe\'s type error is reported on its line; its fragment is skipped');
}
problems.push(...found.filter((f) => f.example.source !== probeSource).map((f) => f.text));
if (problems.length > 0) {
  console.error(`TSDoc @example errors (${problems.length}):`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
if (!selfCheckOnly) {
  console.log(`TSDoc examples: ${complete.length - 1} complete examples type-check; ${skipped - 1} fragments skipped`);
}
