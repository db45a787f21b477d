import { describe, expect, it } from 'vitest';
import { seededRandom } from './random';

function take(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => random());
}

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(take(seededRandom(42), 20)).toEqual(take(seededRandom(42), 20));
  });

  it('gives different sequences for different seeds', () => {
    expect(take(seededRandom(1), 5)).not.toEqual(take(seededRandom(2), 5));
  });

  it('returns numbers in [0, 1) spread over the interval', () => {
    const values = take(seededRandom(7), 10_000);
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
