// The one tsup preset every package builds with: ESM + CJS + declarations, no bundled dependencies.
import type { Options } from 'tsup';

/** Build options shared by every publishable package; a package may only add to them. */
export function packagePreset(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { customConditions: [] } },
    tsconfig: 'tsconfig.lib.json',
    target: 'node20',
    platform: 'neutral',
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: false,
    ...overrides,
  };
}
