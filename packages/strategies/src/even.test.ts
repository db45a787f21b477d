import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect, it, vi } from 'vitest';
import { createEven, even } from './even';
import { assignedTotal, CountingDemands, demandsOf, foreignDemands, remainingAfter, toRecord } from './test/demands';

// Naming, bad input and the totals every split strategy keeps are in split-strategies.test.ts.
describe('createEven', () => {
  it('fills the small demands and splits the rest equally', () => {
    const demands = demandsOf({ a: 10, b: 2, c: 3, d: 5 });
    const result = createEven({ random: createSeededRandom(2) }).assign(demands, 13);
    expect(toRecord(result)).toEqual({ a: 4, b: 2, c: 3, d: 4 });
    expect(remainingAfter(demands, result)).toEqual({ a: 6, d: 1 });
  });

  it('gives the events that do not split evenly to single subscribers', () => {
    const result = createEven({ random: createSeededRandom(3) }).assign(demandsOf({ a: 2, b: 2, c: 2, d: 2 }), 5);
    expect(Object.values(toRecord(result)).sort()).toEqual([1, 1, 1, 2]);
    expect(assignedTotal(result)).toBe(5);
  });

  it('lets the random source choose who gets the leftover events', () => {
    const demands = demandsOf({ a: 2, b: 2, c: 2, d: 2 });
    expect(toRecord(createEven({ random: () => 0 }).assign(demands, 5)).a).toBe(2);
    expect(toRecord(createEven({ random: () => 0.999 }).assign(demands, 5)).d).toBe(2);
    const lucky = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      for (const [subscriber, count] of createEven({ random: createSeededRandom(seed) }).assign(demands, 5)) {
        if (count === 2) lucky.add(subscriber);
      }
    }
    expect([...lucky].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives one event each to distinct random subscribers when there are fewer events than subscribers', () => {
    const record: Record<string, number> = {};
    for (let i = 0; i < 10; i++) record[`s${i}`] = 3;
    const demands = demandsOf(record);
    const result = createEven({ random: () => 0 }).assign(demands, 4);
    expect(toRecord(result)).toEqual({ s0: 1, s1: 1, s2: 1, s3: 1 });
    expect(Object.keys(remainingAfter(demands, result))).toHaveLength(10);

    const other = createEven({ random: createSeededRandom(4) }).assign(demandsOf(record), 7);
    expect(Object.keys(toRecord(other))).toHaveLength(7);
    expect(other.every(([, count]) => count === 1)).toBe(true);
  });

  it('accepts a ReadonlyDemands that is not a core Demands', () => {
    const map = new Map([['a', 10], ['b', 2], ['c', 3], ['d', 5]]);
    const foreign = foreignDemands(map);
    const strategy = createEven({ random: createSeededRandom(7) });
    expect(toRecord(strategy.assign(foreign, 13))).toEqual({ a: 4, b: 2, c: 3, d: 4 });
    expect(assignedTotal(strategy.assign(foreign, 2))).toBe(2);
    expect(toRecord(strategy.assign(foreign, 20))).toEqual(Object.fromEntries(map));
    expect(strategy.assign(foreign, 0)).toEqual([]);
  });

  it('does not touch subscribers that receive nothing', () => {
    const demands = CountingDemands.filled(100_000, 5);

    const result = createEven({ random: createSeededRandom(8) }).assign(demands, 1_000);

    expect(demands.reads.iterate).toBe(0);
    expect(demands.reads.subscribers).toBe(0);
    expect(demands.reads.get + demands.reads.slot).toBeLessThanOrEqual(2_000);
    expect(result).toHaveLength(1_000);
    expect(assignedTotal(result)).toBe(1_000);
  });

  it('keeps its picks in range when the random source misbehaves', () => {
    for (const value of [1, 2, -1, Number.NaN]) {
      const strategy = createEven({ random: () => value });
      expect(Object.keys(toRecord(strategy.assign(demandsOf({ a: 2, b: 2, c: 2 }), 2)))).toHaveLength(2);
    }
  });
});

describe('even', () => {
  it('is an even strategy driven by Math.random', () => {
    expect(even.name).toBe('even');
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    expect(toRecord(even.assign(demandsOf({ a: 2, b: 2, c: 2, d: 2 }), 5))).toEqual({ a: 1, b: 1, c: 1, d: 2 });
  });
});
