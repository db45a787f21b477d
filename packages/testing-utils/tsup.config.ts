import { defineConfig } from 'tsup';
import { packagePresetWithEsmOnly } from '../../tools/build/tsup.preset';

// `./vitest` is ESM only: it imports vitest, which cannot be required.
export default defineConfig(packagePresetWithEsmOnly(['src/vitest.ts']));
