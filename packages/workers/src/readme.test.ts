import { expect, it } from 'vitest';
import { runReadmeUsage } from '../../../tools/build/readme-example';

it('runs the README usage example and logs what it promises', async () => {
  const { logged, expected } = await runReadmeUsage(new URL('..', import.meta.url));
  expect(expected.length).toBeGreaterThan(0);
  expect(logged).toEqual(expected);
});
