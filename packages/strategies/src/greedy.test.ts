import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect, it, vi } from 'vitest';
import { createGreedy, greedy } from './greedy';
import { assignedTotal, CountingDemands, demandsOf, foreignDemands, remainingAfter, toRecord } from './test/demands';

// Naming, bad input and the totals every split strategy keeps are in split-strategies.test.ts.
describe('createGreedy', () => {
  it('fills one subscriber before the next', () => {
    const demands = demandsOf({ a: 10, b: 10 });
    const result = createGreedy({ random: createSeededRandom(1) }).assign(demands, 16);
    expect(Object.values(toRecord(result)).sort((x, y) => x - y)).toEqual([6, 10]);
    expect(Object.values(remainingAfter(demands, result))).toEqual([4]);
  });

  it('gives a few events to exactly one subscriber', () => {
    const result = createGreedy({ random: createSeededRandom(2) }).assign(demandsOf({ a: 10, b: 10 }), 3);
    expect(result.map(([, count]) => count)).toEqual([3]);
  });

  it('lets the random source choose the order, and lists subscribers in that order', () => {
    const demands = demandsOf({ a: 10, b: 10 });
    expect(createGreedy({ random: () => 0 }).assign(demands, 16)).toEqual([['a', 10], ['b', 6]]);
    expect(createGreedy({ random: () => 0.999 }).assign(demands, 16)).toEqual([['b', 10], ['a', 6]]);
    const first = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const result = createGreedy({ random: createSeededRandom(seed) }).assign(demandsOf({ a: 5, b: 5, c: 5 }), 5);
      first.add(result.map(([subscriber]) => subscriber).join());
    }
    expect([...first].sort()).toEqual(['a', 'b', 'c']);
  });

  it('moves on to the next subscriber when one asks for less than what is left', () => {
    const demands = demandsOf({ a: 1, b: 5, c: 2 });
    const result = createGreedy({ random: () => 0 }).assign(demands, 4);
    expect(toRecord(result)).toEqual({ a: 1, b: 3 });
    expect(remainingAfter(demands, result)).toEqual({ b: 2, c: 2 });
  });

  it('accepts a ReadonlyDemands that is not a core Demands', () => {
    const result = createGreedy({ random: () => 0 }).assign(foreignDemands(new Map([['a', 4], ['b', 4]])), 6);
    expect(result).toEqual([['a', 4], ['b', 2]]);
  });

  it('does not touch subscribers that receive nothing', () => {
    const demands = CountingDemands.filled(100_000, 5);

    const result = createGreedy({ random: createSeededRandom(6) }).assign(demands, 1_000);

    expect(demands.reads.iterate).toBe(0);
    expect(demands.reads.subscribers).toBe(0);
    expect(demands.reads.slot).toBe(400);
    expect(demands.reads.get).toBe(0);
    expect(result).toHaveLength(200);
    expect(assignedTotal(result)).toBe(1_000);
  });
});

describe('greedy', () => {
  it('is a greedy strategy driven by Math.random', () => {
    expect(greedy.name).toBe('greedy');
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    expect(toRecord(greedy.assign(demandsOf({ a: 10, b: 10 }), 16))).toEqual({ a: 6, b: 10 });
  });
});
