// Runs the Usage example of a package README, so documentation that stops working fails a test.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * What running a README example produced: the values it logged, and the values its
 * `// => <json>` annotations promise, in order.
 */
export interface ReadmeRun {
  logged: unknown[];
  expected: unknown[];
}

/** A code block of a README section that names its file on its first line (`// worker.mjs`). */
export interface ReadmeFile {
  name: string;
  code: string;
}

/** A comment naming a file, alone on a block's first line: `// hash-worker.mjs`. */
const FILE_NAME = /^\/\/ ([\w.-]+\.(?:[cm]?js|[cm]?ts))\n/;

/** The text of the `## <heading>` section of `readme`, up to the next `## ` heading. */
function section(readme: string, heading: string): string {
  const text = readme.split(new RegExp(`^## ${heading}\\s*$`, 'm'))[1];
  if (text === undefined) throw new Error(`README has no "## ${heading}" section`);
  return text.split(/^## /m)[0] ?? '';
}

/**
 * The first ```ts block under the `## <heading>` heading of `readme` (`## Usage` by default)
 * that does not name a file on its first line.
 */
export function usageBlock(readme: string, heading = 'Usage'): string {
  for (const match of section(readme, heading).matchAll(/```ts\n([\s\S]*?)```/g)) {
    const code = match[1] ?? '';
    if (code !== '' && !FILE_NAME.test(code)) return code;
  }
  throw new Error(`the "## ${heading}" section has no \`\`\`ts block`);
}

/**
 * The blocks of the `## <heading>` section that name a file on their first line (any language),
 * such as the worker module an example loads: written next to the example before it runs.
 */
export function usageFiles(readme: string, heading = 'Usage'): ReadmeFile[] {
  const files: ReadmeFile[] = [];
  for (const match of section(readme, heading).matchAll(/```\w*\n([\s\S]*?)```/g)) {
    const code = match[1] ?? '';
    const name = FILE_NAME.exec(code)?.[1];
    if (name !== undefined) files.push({ name, code });
  }
  return files;
}

/** Every `// => <json>` annotation of `code`, parsed, in order. */
export function expectedOutputs(code: string): unknown[] {
  return [...code.matchAll(/\/\/ => (.+)$/gm)].map((m) => JSON.parse((m[1] ?? '').trim()));
}

/**
 * Runs the Usage block (or the block under `heading`) of the README in `packageDir` (a directory
 * URL or path) and records what it passes to `console.log`; the blocks of the section that name
 * a file are written beside it first. The test compares `logged` with `expected`.
 */
export async function runReadmeUsage(packageDir: URL | string, heading = 'Usage'): Promise<ReadmeRun> {
  const dir = typeof packageDir === 'string' ? packageDir : fileURLToPath(packageDir);
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const code = usageBlock(readme, heading);
  const scratch = join(dir, '.readme');
  mkdirSync(scratch, { recursive: true });
  for (const extra of usageFiles(readme, heading)) writeFileSync(join(scratch, extra.name), extra.code);
  const file = join(scratch, `usage-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, code);
  const logged: unknown[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    logged.push(args.length === 1 ? args[0] : args);
  };
  try {
    await import(/* @vite-ignore */ pathToFileURL(file).href);
  } finally {
    console.log = original;
    rmSync(scratch, { recursive: true, force: true });
  }
  return { logged: JSON.parse(JSON.stringify(logged)) as unknown[], expected: expectedOutputs(code) };
}
