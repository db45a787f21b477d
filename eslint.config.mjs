// Lint for the whole workspace: TypeScript rules, layer boundaries (SPEC §2) and dependency checks.
import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';

/** Which layers each layer may import in production code (SPEC §2). */
const layers = {
  'layer:core': [],
  'layer:strategies': ['layer:core'],
  'layer:monitored-buffer': ['layer:core'],
  'layer:testing': ['layer:core'],
  'layer:servers': ['layer:core', 'layer:strategies', 'layer:monitored-buffer'],
  'layer:adapter': ['layer:core', 'layer:strategies', 'layer:monitored-buffer', 'layer:servers'],
  // The demo and the bench use the public packages, adapters included.
  'layer:tool': [
    'layer:core',
    'layer:strategies',
    'layer:monitored-buffer',
    'layer:servers',
    'layer:adapter',
    'layer:testing',
  ],
  // The examples consume the public packages, as an application would (and test with the kit).
  'layer:example': [
    'layer:core',
    'layer:strategies',
    'layer:monitored-buffer',
    'layer:servers',
    'layer:adapter',
    'layer:testing',
  ],
};

/**
 * Workspace tools (build presets, the README runner) that config and test files may import by a
 * relative path; they are not packages, and production code never imports them.
 */
const workspaceTools = ['../../tools/build/*', '../../../tools/build/*', '../build/*', '../tools/build/*'];

/**
 * Test files of every layer but core may also use `@dispenser/testing-utils`; test and config
 * files may use the workspace tools.
 */
function boundaries({ tests, tools = tests }) {
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      banTransitiveDependencies: true,
      checkDynamicDependenciesExceptions: [],
      allow: tools ? workspaceTools : [],
      depConstraints: Object.entries(layers).map(([sourceTag, allowed]) => ({
        sourceTag,
        onlyDependOnLibsWithTags:
          tests && sourceTag !== 'layer:core' && sourceTag !== 'layer:testing'
            ? [...allowed, 'layer:testing']
            : allowed,
      })),
    },
  ];
}

const testFiles = ['**/*.test.ts', '**/test/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/.nx', '**/results', '**/*.d.ts', '**/*.d.cts'],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: false }),
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: true }),
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.config.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ tests: false, tools: true }) },
  },
  {
    files: ['packages/*/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          buildTargets: ['build'],
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: true,
          // Optional peers of @dispenser/redis: the user passes a connected client in; nothing imports them.
          ignoredDependencies: ['redis', 'ioredis'],
          ignoredFiles: [
            '{projectRoot}/**/*.test.ts',
            '{projectRoot}/test/**/*',
            '{projectRoot}/src/test/**/*',
            '{projectRoot}/vitest.config.ts',
            '{projectRoot}/tsup.config.ts',
          ],
        },
      ],
    },
  },
];
