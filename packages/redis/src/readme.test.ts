import { afterAll, beforeAll, expect, it } from 'vitest';
import { runReadmeUsage } from '../../../tools/build/readme-example';
import { redisTestsRun, startRedis, type TestRedis } from './test/redis-server';

let redis: TestRedis | undefined;
const previous = process.env['REDIS_URL'];

beforeAll(async () => {
  if (!redisTestsRun) return;
  redis = await startRedis();
  process.env['REDIS_URL'] = redis.url;
});
afterAll(async () => {
  if (previous === undefined) delete process.env['REDIS_URL'];
  else process.env['REDIS_URL'] = previous;
  await redis?.stop();
});

it.skipIf(!redisTestsRun)('runs the README usage example and logs what it promises', { timeout: 30_000 }, async () => {
  const { logged, expected } = await runReadmeUsage(new URL('..', import.meta.url));
  expect(expected.length).toBeGreaterThan(0);
  expect(logged).toEqual(expected);
});
