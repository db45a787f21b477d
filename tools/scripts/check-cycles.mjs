// Finds import cycles between files (the Nx boundary rule only sees cycles between projects). A
// self-check runs first: probe files that import each other must be reported. `--self-check`: only that.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');
const rel = (file) => relative(root, file).split('\\').join('/');

/** Every `.ts` file under `packages/<name>/src`, `tools/<name>/src` and `examples/<name>/src`, test files included. */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push(path);
    }
  };
  for (const group of ['packages', 'tools', 'examples']) {
    for (const name of readdirSync(join(root, group))) {
      const src = join(root, group, name, 'src');
      if (existsSync(src) && statSync(src).isDirectory()) walk(src);
    }
  }
  return files.sort();
}

const isFile = (path) => existsSync(path) && statSync(path).isFile();

/** `./x` -> `x.ts`, `x/index.ts` or `x` itself; `./x.js` -> `x.ts`. Undefined if nothing matches. */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  if (/\.[cm]?js$/.test(base)) candidates.unshift(base.replace(/\.([cm]?)js$/, '.$1ts'));
  return candidates.find((path) => path.endsWith('.ts') && isFile(path));
}

/**
 * Relative import edges of `files`, read with TypeScript's pre-processor (a scanner, so comments and
 * strings never count): static, type-only, re-exports, side-effect and dynamic `import()`.
 */
function importGraph(files) {
  const graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('./') || specifier.startsWith('../'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target) => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Tarjan's strongly connected components (iterative), keeping those that contain a cycle. */
function cyclicComponents(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let counter = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, 0]];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, next] = frame;
      const targets = graph.get(node) ?? [];
      if (next < targets.length) {
        frame[1]++;
        const target = targets[next];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push([target, 0]);
        } else if (onStack.has(target)) {
          low.set(node, Math.min(low.get(node), index.get(target)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component.sort());
      }
    }
  }
  return components;
}

/** The shortest cycle through `start` inside `component`, as a list of files ending at `start`. */
function shortestCycle(graph, component, start) {
  const members = new Set(component);
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** Every cycle found in `files`, each as a chain `a.ts -> b.ts -> a.ts` (one per file it goes through). */
function findCycles(files) {
  const graph = importGraph(files);
  const chains = new Set();
  for (const component of cyclicComponents(graph)) {
    for (const file of component) {
      const cycle = shortestCycle(graph, component, file).slice(0, -1);
      const first = cycle.indexOf([...cycle].sort()[0]);
      const rotated = [...cycle.slice(first), ...cycle.slice(0, first)];
      chains.add([...rotated, rotated[0]].map(rel).join(' -> '));
    }
  }
  return [...chains].sort();
}

/** Writes probe files that form two cycles (and a commented-out import that must not), then scans. */
function selfCheck() {
  const dir = join(root, 'packages/core/src/__cycle_probe__');
  const probes = {
    'a.ts': "import type { B } from './b';\nimport './e';\nexport type A = { b?: B };\n",
    'b.ts': "export * from './a.js';\nexport type B = number;\n",
    'c.ts': "export { d } from './d';\nexport const c = 1;\n",
    'd/index.ts': "export const d = async () => (await import('../c')).c;\n",
    'e.ts': "// import type { A } from './a';\n/* import './a'; */\nexport const e = \"import { a } from './a'\";\n",
  };
  const expected = ['a.ts -> b.ts -> a.ts', 'c.ts -> d/index.ts -> c.ts'].map((chain) =>
    chain.replace(/[\w/.]+\.ts/g, (file) => rel(join(dir, file))),
  );
  let found;
  try {
    for (const [file, code] of Object.entries(probes)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), code);
    }
    found = findCycles(sourceFiles()).filter((chain) => chain.includes('__cycle_probe__'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (found.join('\n') !== expected.join('\n')) {
    console.error(`cycle self-check: expected the probe cycles\n  ${expected.join('\n  ')}\nbut found\n  ${found.join('\n  ') || '(none)'}`);
    process.exit(1);
  }
  console.log(`cycle self-check: the ${expected.length} probe cycles are reported, a commented-out import is not`);
}

process.on('SIGINT', () => {
  rmSync(join(root, 'packages/core/src/__cycle_probe__'), { recursive: true, force: true });
  process.exit(130);
});

selfCheck();
if (!process.argv.includes('--self-check')) {
  const files = sourceFiles();
  const cycles = findCycles(files);
  if (cycles.length > 0) {
    console.error(`import cycles between files (${cycles.length}):`);
    for (const chain of cycles) console.error(`  ${chain}`);
    console.error('break each cycle, for example by moving the shared types into a module both can import');
    process.exit(1);
  }
  console.log(`no import cycles between the ${files.length} source files`);
}
