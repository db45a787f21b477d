// Shared vitest settings: resolve workspace packages to their sources through the custom condition.
import { defineConfig } from 'vitest/config';

const sourceCondition = '@dispenser/source';

/** Vitest config for a package: `src/**\/*.test.ts`, sources resolved for client and SSR alike. */
export function packageTestConfig(name: string) {
  return defineConfig({
    resolve: { conditions: [sourceCondition] },
    environments: { ssr: { resolve: { conditions: [sourceCondition] } } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      restoreMocks: true,
      // Lets tests prove that removed values are released (globalThis.gc).
      execArgv: ['--expose-gc'],
      // The JSON report feeds the workspace-wide count printed at the end of `npm test`.
      reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    },
  });
}
