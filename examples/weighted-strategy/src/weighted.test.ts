// The weighted strategy: the conformance kit (valid, work-conserving, deterministic) and its split.
import { Demands } from '@dispenser/core';
import { testAssignmentStrategy } from '@dispenser/testing-utils/vitest';
import { describe, expect, it } from 'vitest';
import { createWeighted, weighted, weightProperty } from './weighted';

/**
 * Weights from 1 to 5 for the kit's random subscribers (strings, `{ subscriber: n }` objects and
 * symbols), so the kit exercises uneven weights too.
 */
function variedWeight(subscriber: unknown): number {
  if (typeof subscriber === 'string') return (subscriber.length % 5) + 1;
  if (typeof subscriber === 'symbol') return ((subscriber.description ?? '').length % 5) + 1;
  const n = (subscriber as { subscriber: number }).subscriber;
  return (n % 5) + 0.5;
}

describe('the conformance kit', () => {
  describe('with equal weights', () => {
    testAssignmentStrategy(weighted, { runs: 200, deterministic: true });
  });
  describe('with weights from 0.5 to 5', () => {
    testAssignmentStrategy(createWeighted({ weightOf: variedWeight }), { runs: 200, deterministic: true });
  });
});

/** The counts `strategy` gives, by subscriber name, for demands given as `[name, weight, demand]`. */
function split(eventCount: number, entries: ReadonlyArray<readonly [string, number, number]>): Record<string, number> {
  const weights = new Map(entries.map(([name, weight]) => [name, weight]));
  const strategy = createWeighted({ weightOf: (name) => weights.get(name as string) ?? 1 });
  const demands = new Demands<string>(entries.map(([name, , demand]) => [name, demand]));
  return Object.fromEntries(strategy.assign(demands, eventCount));
}

describe('weighted', () => {
  it('splits events in proportion to the weights', () => {
    expect(split(60, [['gold', 3, 100], ['silver', 2, 100], ['bronze', 1, 100]])).toEqual({ gold: 30, silver: 20, bronze: 10 });
  });

  it('gives a subscriber that asks for less than its share all it asked for, and shares the rest by weight', () => {
    expect(split(60, [['small', 6, 5], ['gold', 3, 100], ['silver', 2, 100], ['bronze', 1, 100]])).toEqual({
      small: 5,
      gold: 28,
      silver: 18,
      bronze: 9,
    });
  });

  it('hands the events that rounding leaves over to the largest remainders', () => {
    expect(split(10, [['a', 1, 10], ['b', 1, 10], ['c', 1, 10]])).toEqual({ a: 4, b: 3, c: 3 });
    expect(split(2, [['a', 1, 10], ['b', 2, 10], ['c', 1, 10]])).toEqual({ b: 1, a: 1 });
  });

  it('assigns every demanded event when there are more events than demand', () => {
    expect(split(1_000, [['a', 5, 3], ['b', 1, 7]])).toEqual({ a: 3, b: 7 });
  });

  it('assigns nothing without events or demand', () => {
    expect(split(0, [['a', 1, 10]])).toEqual({});
    expect(weighted.assign(new Demands<string>(), 10)).toEqual([]);
  });

  it('throws a RangeError for a weight that is not a finite number above 0', () => {
    for (const weight of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => split(5, [['a', weight, 5]])).toThrow(RangeError);
    }
  });

  it('reads the weight from the subscriber, 1 when it has none', () => {
    expect(weightProperty({ weight: 2.5 })).toBe(2.5);
    expect(weightProperty({ name: 'plain' })).toBe(1);
    expect(weightProperty('a string')).toBe(1);
  });
});
