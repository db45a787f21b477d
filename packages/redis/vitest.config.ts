import { packageTestConfig } from '../../tools/build/vitest.preset.ts';

export default packageTestConfig('@dispenser/redis');
