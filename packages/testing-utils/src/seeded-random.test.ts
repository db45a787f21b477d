import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './seeded-random';

function take(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => random());
}

describe('createSeededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(take(createSeededRandom(42), 20)).toEqual(take(createSeededRandom(42), 20));
  });

  it('gives different sequences for different seeds', () => {
    expect(take(createSeededRandom(1), 5)).not.toEqual(take(createSeededRandom(2), 5));
  });

  it('produces the mulberry32 sequence, so recorded seeds replay across versions', () => {
    expect(take(createSeededRandom(1), 3)).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    expect(take(createSeededRandom(0), 2)).toEqual([0.26642920868471265, 0.0003297457005828619]);
  });

  it('returns numbers in [0, 1) spread over the interval', () => {
    const values = take(createSeededRandom(7), 10_000);
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('accepts negative and large safe integers, using the low 32 bits of the seed', () => {
    for (const seed of [-1, -2_147_483_648, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const values = take(createSeededRandom(seed), 50);
      expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    }
    expect(take(createSeededRandom(-1), 5)).toEqual(take(createSeededRandom(2 ** 32 - 1), 5));
    expect(take(createSeededRandom(2 ** 40 + 5), 5)).toEqual(take(createSeededRandom(5), 5));
    expect(take(createSeededRandom(-1), 5)).not.toEqual(take(createSeededRandom(1), 5));
  });

  it('keeps a separate state for each generator', () => {
    const first = createSeededRandom(3);
    const second = createSeededRandom(3);
    const a = take(first, 4);
    expect(take(second, 4)).toEqual(a);
    expect(take(first, 4)).not.toEqual(a);
  });

  it.each([1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53])(
    'rejects seed %s with a RangeError naming seed',
    (seed) => {
      expect(() => createSeededRandom(seed)).toThrow(RangeError);
      expect(() => createSeededRandom(seed)).toThrow(/seed/);
    },
  );

  it.each(['1', undefined, null, 1n])('rejects seed %o with a TypeError naming seed', (seed) => {
    expect(() => createSeededRandom(seed as unknown as number)).toThrow(TypeError);
    expect(() => createSeededRandom(seed as unknown as number)).toThrow(/seed/);
  });
});
