// The one tsup preset every package builds with: ESM + CJS + declarations, no bundled dependencies.
import { rmSync } from 'node:fs';
import type { Options } from 'tsup';

/**
 * Appended to every published `.d.ts`/`.d.cts`: the globals our declarations name that a consumer's
 * `lib` may lack (`lib: ["es2022"]` without DOM or `@types/node`): `Symbol.dispose` and
 * `Symbol.asyncDispose` (the `[Symbol.asyncDispose]()` methods) and `AbortSignal` (the `signal`
 * options), `WritableStream` (`writable()`) and `URL` (a worker module's location). Written exactly
 * as TypeScript's `esnext.disposable` lib and `@types/node` declare them, so they merge with those;
 * `AbortSignal`, `WritableStream` and `URL` only get their names, their members come from the
 * consumer's platform types. `tools/scripts/check-consumer-types.mjs` compiles the result in every
 * setup.
 */
const publishedGlobals = `
// Globals used above, for consumers whose \`lib\` lacks them; they merge with TypeScript's
// esnext.disposable and DOM libs and with @types/node.
declare global {
    interface SymbolConstructor {
        readonly dispose: unique symbol;
        readonly asyncDispose: unique symbol;
    }
    interface AbortSignal {}
    interface WritableStream<W = any> {}
    interface URL {}
}`;

/** Build options shared by every publishable package; a package may only add to them. */
export function packagePreset(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { customConditions: [] }, footer: publishedGlobals },
    tsconfig: 'tsconfig.lib.json',
    target: 'node20',
    platform: 'neutral',
    // Maps give stack traces (`node --enable-source-maps`) and debuggers the original files and
    // lines; they do not embed the sources (`sourcesContent`), which made up over a third of every
    // package. check-package.mjs fails on a published map that embeds them.
    sourcemap: true,
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
    clean: true,
    treeshake: true,
    splitting: false,
    ...overrides,
  };
}

/**
 * The preset for a package whose `esmOnly` entry points are published as ESM only: `exports` gives
 * them an `import` condition and no `require`, as for an entry that imports vitest (which cannot be
 * required). Two builds into `dist`: ESM and `.d.ts` of every entry point, CommonJS and `.d.cts` of
 * the others. They write different files at the same time, so neither may clean `dist` (tsup's
 * clean would race with the other build's writes): `dist` is emptied once, when tsup loads the config.
 */
export function packagePresetWithEsmOnly(esmOnly: string[], overrides: Options = {}): () => Options[] {
  return () => {
    const options = packagePreset(overrides);
    rmSync(options.outDir ?? 'dist', { recursive: true, force: true });
    const entry = options.entry as string[];
    return [
      { ...options, name: 'esm', entry: [...entry, ...esmOnly], format: ['esm'], clean: false },
      { ...options, name: 'cjs', entry, format: ['cjs'], clean: false },
    ];
  };
}
