import { packageTestConfig } from '../build/vitest.preset.ts';

export default packageTestConfig('@dispenser/demo');
