import { Demands } from '@dispenser/core';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect, it, vi } from 'vitest';
import { createGreedy, greedy } from './greedy';
import { CountingDemands, demandsOf, foreignDemands, toRecord } from './test/demands';

// Naming, bad input and the totals every split strategy keeps are in split-strategies.test.ts.
describe('createGreedy', () => {
  it('fills one subscriber before the next', () => {
    const { assigned, remaining } = createGreedy({ random: createSeededRandom(1) }).assign(
      demandsOf({ a: 10, b: 10 }),
      16,
    );
    expect(Object.values(toRecord(assigned)).sort((x, y) => x - y)).toEqual([6, 10]);
    expect(Object.values(toRecord(remaining))).toEqual([4]);
  });

  it('gives a few events to exactly one subscriber', () => {
    const { assigned, remaining } = createGreedy({ random: createSeededRandom(2) }).assign(
      demandsOf({ a: 10, b: 10 }),
      3,
    );
    expect(Object.values(toRecord(assigned))).toEqual([3]);
    expect(remaining.total).toBe(17);
    expect(remaining.size).toBe(2);
  });

  it('lets the random source choose the order', () => {
    const demands = demandsOf({ a: 10, b: 10 });
    expect(toRecord(createGreedy({ random: () => 0 }).assign(demands, 16).assigned)).toEqual({ a: 10, b: 6 });
    expect(toRecord(createGreedy({ random: () => 0.999 }).assign(demands, 16).assigned)).toEqual({ a: 6, b: 10 });
    const first = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const { assigned } = createGreedy({ random: createSeededRandom(seed) }).assign(demandsOf({ a: 5, b: 5, c: 5 }), 5);
      first.add([...assigned.subscribers().keys()].join());
    }
    expect([...first].sort()).toEqual(['a', 'b', 'c']);
  });

  it('moves on to the next subscriber when one asks for less than what is left', () => {
    const { assigned, remaining } = createGreedy({ random: () => 0 }).assign(demandsOf({ a: 1, b: 5, c: 2 }), 4);
    expect(toRecord(assigned)).toEqual({ a: 1, b: 3 });
    expect(toRecord(remaining)).toEqual({ b: 2, c: 2 });
  });

  it('accepts a ReadonlyDemands that is not a core Demands', () => {
    const map = new Map([['a', 4], ['b', 4]]);
    const { assigned, remaining } = createGreedy({ random: () => 0 }).assign(foreignDemands(map), 6);
    expect(assigned).toBeInstanceOf(Demands);
    expect(toRecord(assigned)).toEqual({ a: 4, b: 2 });
    expect(toRecord(remaining)).toEqual({ b: 2 });
    expect([...map]).toEqual([['a', 4], ['b', 4]]);
  });

  it('does not touch subscribers that receive nothing', () => {
    const demands = CountingDemands.filled(100_000, 5);

    const { assigned, remaining } = createGreedy({ random: createSeededRandom(6) }).assign(demands, 1_000);

    expect(demands.reads.iterate).toBe(0);
    expect(demands.reads.subscribers).toBe(0);
    expect(demands.reads.subscriberAt).toBe(200);
    expect(demands.reads.get).toBeLessThanOrEqual(200);
    expect(assigned.size).toBe(200);
    expect(assigned.total).toBe(1_000);
    expect(remaining.size).toBe(99_800);
    expect(remaining.total).toBe(499_000);
  });
});

describe('greedy', () => {
  it('is a greedy strategy driven by Math.random', () => {
    expect(greedy.name).toBe('greedy');
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    expect(toRecord(greedy.assign(demandsOf({ a: 10, b: 10 }), 16).assigned)).toEqual({ a: 6, b: 10 });
  });
});
