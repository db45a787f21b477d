import { Demands } from '@dispenser/core';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect, it, vi } from 'vitest';
import { createEven, even } from './even';
import { CountingDemands, demandsOf, foreignDemands, toRecord } from './test/demands';

// Naming, bad input and the totals every split strategy keeps are in split-strategies.test.ts.
describe('createEven', () => {
  it('fills the small demands and splits the rest equally', () => {
    const { assigned, remaining } = createEven({ random: createSeededRandom(2) }).assign(
      demandsOf({ a: 10, b: 2, c: 3, d: 5 }),
      13,
    );
    expect(toRecord(assigned)).toEqual({ a: 4, b: 2, c: 3, d: 4 });
    expect(toRecord(remaining)).toEqual({ a: 6, d: 1 });
  });

  it('gives the events that do not split evenly to single subscribers', () => {
    const { assigned, remaining } = createEven({ random: createSeededRandom(3) }).assign(
      demandsOf({ a: 2, b: 2, c: 2, d: 2 }),
      5,
    );
    const shares = Object.values(toRecord(assigned)).sort();
    expect(shares).toEqual([1, 1, 1, 2]);
    expect(assigned.total).toBe(5);
    expect(remaining.total).toBe(3);
  });

  it('lets the random source choose who gets the leftover events', () => {
    const demands = demandsOf({ a: 2, b: 2, c: 2, d: 2 });
    expect(createEven({ random: () => 0 }).assign(demands, 5).assigned.get('a')).toBe(2);
    expect(createEven({ random: () => 0.999 }).assign(demands, 5).assigned.get('d')).toBe(2);
    const lucky = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const { assigned } = createEven({ random: createSeededRandom(seed) }).assign(demands, 5);
      for (const [subscriber, amount] of assigned) if (amount === 2) lucky.add(subscriber);
    }
    expect([...lucky].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives one event each to distinct random subscribers when there are fewer events than subscribers', () => {
    const record: Record<string, number> = {};
    for (let i = 0; i < 10; i++) record[`s${i}`] = 3;
    const { assigned, remaining } = createEven({ random: () => 0 }).assign(demandsOf(record), 4);
    expect(toRecord(assigned)).toEqual({ s0: 1, s1: 1, s2: 1, s3: 1 });
    expect(remaining.size).toBe(10);
    expect(remaining.total).toBe(26);

    const other = createEven({ random: createSeededRandom(4) }).assign(demandsOf(record), 7).assigned;
    expect(other.size).toBe(7);
    expect([...other].every(([, amount]) => amount === 1)).toBe(true);
  });

  it('accepts a ReadonlyDemands that is not a core Demands', () => {
    const map = new Map([['a', 10], ['b', 2], ['c', 3], ['d', 5]]);
    const foreign = foreignDemands(map);
    const strategy = createEven({ random: createSeededRandom(7) });
    const { assigned, remaining } = strategy.assign(foreign, 13);
    expect(assigned).toBeInstanceOf(Demands);
    expect(toRecord(assigned)).toEqual({ a: 4, b: 2, c: 3, d: 4 });
    expect(toRecord(remaining)).toEqual({ a: 6, d: 1 });
    expect(toRecord(strategy.assign(foreign, 2).assigned)).not.toEqual({});
    expect(toRecord(strategy.assign(foreign, 20).assigned)).toEqual(Object.fromEntries(map));
    expect(strategy.assign(foreign, 0).remaining.total).toBe(20);
    expect([...map]).toEqual([['a', 10], ['b', 2], ['c', 3], ['d', 5]]);
  });

  it('does not touch subscribers that receive nothing', () => {
    const demands = CountingDemands.filled(100_000, 5);

    const { assigned, remaining } = createEven({ random: createSeededRandom(8) }).assign(demands, 1_000);

    expect(demands.reads.iterate).toBe(0);
    expect(demands.reads.subscribers).toBe(0);
    expect(demands.reads.get + demands.reads.subscriberAt).toBeLessThanOrEqual(2_000);
    expect(assigned.size).toBe(1_000);
    expect(assigned.total).toBe(1_000);
    expect(remaining.size).toBe(100_000);
    expect(remaining.total).toBe(499_000);
  });

  it('keeps its picks in range when the random source misbehaves', () => {
    for (const value of [1, 2, -1, Number.NaN]) {
      const strategy = createEven({ random: () => value });
      expect(strategy.assign(demandsOf({ a: 2, b: 2, c: 2 }), 2).assigned.size).toBe(2);
    }
  });
});

describe('even', () => {
  it('is an even strategy driven by Math.random', () => {
    expect(even.name).toBe('even');
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const { assigned } = even.assign(demandsOf({ a: 2, b: 2, c: 2, d: 2 }), 5);
    expect(toRecord(assigned)).toEqual({ a: 1, b: 1, c: 1, d: 2 });
  });
});
