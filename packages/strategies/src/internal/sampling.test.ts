import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LazyShuffle, randomIndex, resolveRandom } from './sampling';

describe('randomIndex', () => {
  it.each([
    [0, 10, 0],
    [0.55, 10, 5],
    [0.999, 10, 9],
    [1, 10, 9],
    [3, 10, 9],
    [-0.2, 10, 0],
    [Number.NaN, 10, 0],
  ])('maps random() = %s onto [0, %s) as %s', (value, n, expected) => {
    expect(randomIndex(() => value, n)).toBe(expected);
  });
});

describe('LazyShuffle', () => {
  test.prop([fc.integer({ min: 0, max: 60 }), fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1 })], {
    numRuns: 200,
  })('yields every index of 0..n-1 exactly once', (n, values) => {
    let call = 0;
    const shuffle = new LazyShuffle(n, () => values[call++ % values.length] as number);
    const seen: number[] = [];
    for (let i = 0; i < n; i++) seen.push(shuffle.next());
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('keeps the natural order when random() is always 0', () => {
    const shuffle = new LazyShuffle(4, () => 0);
    expect([shuffle.next(), shuffle.next(), shuffle.next(), shuffle.next()]).toEqual([0, 1, 2, 3]);
  });

  it('takes the last index first when random() is close to 1', () => {
    const shuffle = new LazyShuffle(4, () => 0.999);
    expect([shuffle.next(), shuffle.next(), shuffle.next(), shuffle.next()]).toEqual([3, 0, 1, 2]);
  });
});

describe('resolveRandom', () => {
  it('uses the given function, or reads Math.random on each call by default', () => {
    const mine = () => 0.25;
    expect(resolveRandom({ random: mine })).toBe(mine);
    const fallback = resolveRandom(undefined);
    expect(fallback()).toBeGreaterThanOrEqual(0);
    expect(resolveRandom({})()).toBeLessThan(1);
  });
});
