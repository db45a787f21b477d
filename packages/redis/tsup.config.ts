import { defineConfig } from 'tsup';
import { packagePreset } from '../../tools/build/tsup.preset';

export default defineConfig(packagePreset());
