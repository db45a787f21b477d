// Vitest for the examples: the shared preset, with the tests of every example folder.
import { defineConfig } from 'vitest/config';
import { packageTestConfig } from '../tools/build/vitest.preset.ts';

const preset = packageTestConfig('@dispenser/examples');

export default defineConfig({ ...preset, test: { ...preset.test, include: ['*/src/**/*.test.ts'] } });
