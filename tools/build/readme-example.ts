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

/** The first ```ts block under the `## <heading>` heading of `readme` (`## Usage` by default). */
export function usageBlock(readme: string, heading = 'Usage'): string {
  const section = readme.split(new RegExp(`^## ${heading}\\s*$`, 'm'))[1];
  if (section === undefined) throw new Error(`README has no "## ${heading}" section`);
  const match = /```ts\n([\s\S]*?)```/.exec(section.split(/^## /m)[0] ?? '');
  if (!match?.[1]) throw new Error(`the "## ${heading}" section has no \`\`\`ts block`);
  return match[1];
}

/** Every `// => <json>` annotation of `code`, parsed, in order. */
export function expectedOutputs(code: string): unknown[] {
  return [...code.matchAll(/\/\/ => (.+)$/gm)].map((m) => JSON.parse((m[1] ?? '').trim()));
}

/**
 * Runs the Usage block (or the block under `heading`) of the README in `packageDir` (a directory
 * URL or path) and records what it passes to `console.log`. The test compares `logged` with
 * `expected`.
 */
export async function runReadmeUsage(packageDir: URL | string, heading = 'Usage'): Promise<ReadmeRun> {
  const dir = typeof packageDir === 'string' ? packageDir : fileURLToPath(packageDir);
  const code = usageBlock(readFileSync(join(dir, 'README.md'), 'utf8'), heading);
  const scratch = join(dir, '.readme');
  mkdirSync(scratch, { recursive: true });
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
