import { defineConfig } from 'tsup';
import { packagePresetWithEsmOnly } from '../../tools/build/tsup.preset';

// `./vitest` is ESM only: it imports vitest, which cannot be required. `./redis-server` is Node only.
export default defineConfig(packagePresetWithEsmOnly(['src/vitest.ts'], { entry: ['src/index.ts', 'src/redis-server.ts'] }));
