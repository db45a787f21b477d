import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = dirname(fileURLToPath(import.meta.url));

/** Every `.ts` file under `dir`, tests included. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The files `file` imports or re-exports by a relative path (type-only imports included). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    const base = join(dirname(file), match[1] as string);
    const target = [base, `${base}.ts`, join(base, 'index.ts')].find((path) => path.endsWith('.ts') && existsSync(path));
    if (target === undefined) throw new Error(`${relative(srcDir, file)}: cannot resolve ${match[1]}`);
    out.push(target);
  }
  return out;
}

/** The first cycle of the graph `importsOf` describes, starting from `files`, or null. */
function findCycle(files: readonly string[], importsOf: (file: string) => readonly string[]): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'open');
    stack.push(file);
    for (const next of importsOf(file)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return null;
  };
  for (const file of files) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

describe('imports of the bench sources', () => {
  const files = sourceFiles(srcDir);

  it('finds the workload modules', () => {
    const names = files.map((path) => relative(srcDir, path));
    for (const name of ['suite.ts', 'workloads/server.ts', 'workloads/profile.ts', 'workloads/events.ts']) expect(names).toContain(name);
    expect(localImports(join(srcDir, 'suite.ts'))).toContain(join(srcDir, 'workloads', 'server.ts'));
  });

  it('form no cycle, directly or indirectly', () => {
    expect(findCycle(files, localImports)?.map((path) => relative(srcDir, path)) ?? null).toBeNull();
  });
});

describe('findCycle', () => {
  it('finds a cycle through several files, and none in a diamond', () => {
    const graph: Record<string, string[]> = { suite: ['a', 'b'], a: ['shared'], b: ['shared'], shared: [] };
    expect(findCycle(Object.keys(graph), (f) => graph[f] ?? [])).toBeNull();
    graph['shared'] = ['c'];
    graph['c'] = ['a'];
    expect(findCycle(Object.keys(graph), (f) => graph[f] ?? [])).toEqual(['a', 'shared', 'c', 'a']);
  });
});
