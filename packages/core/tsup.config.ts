import { defineConfig } from 'tsup';
import { packagePreset } from '../../tools/build/tsup.preset';

export default defineConfig(packagePreset({ entry: ['src/index.ts', 'src/internal.ts'] }));
