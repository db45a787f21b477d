import { Demands } from '@dispenser/core';
import type { ReadonlyDemands } from '@dispenser/core';
import { describe, expect, it, vi } from 'vitest';
import { createEven, even } from './even';

/** A small seeded generator (mulberry32), so "random" picks are reproducible. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function demandsOf(record: Record<string, number>): Demands<string> {
  return new Demands<string>(Object.entries(record));
}

function toRecord(demands: ReadonlyDemands<string>): Record<string, number> {
  return Object.fromEntries(demands.subscribers());
}

/** A Demands that counts how it is read, to show which subscribers a strategy touches. */
class CountingDemands<S> extends Demands<S> {
  reads = { get: 0, subscriberAt: 0, iterate: 0, subscribers: 0 };

  override get(subscriber: S): number {
    this.reads.get++;
    return super.get(subscriber);
  }

  override subscriberAt(index: number): S | undefined {
    this.reads.subscriberAt++;
    return super.subscriberAt(index);
  }

  override *[Symbol.iterator](): IterableIterator<[S, number]> {
    this.reads.iterate++;
    yield* super[Symbol.iterator]();
  }

  override subscribers(): Map<S, number> {
    this.reads.subscribers++;
    return super.subscribers();
  }
}

describe('createEven', () => {
  it('creates a strategy named even', () => {
    expect(createEven().name).toBe('even');
    expect(createEven({ random: () => 0 }).name).toBe('even');
  });

  it('gives every subscriber its full demand when the events cover the total', () => {
    const strategy = createEven({ random: seeded(1) });
    for (const eventCount of [5, 6, 100]) {
      const { assigned, remaining } = strategy.assign(demandsOf({ a: 3, b: 2 }), eventCount);
      expect(toRecord(assigned)).toEqual({ a: 3, b: 2 });
      expect(remaining.total).toBe(0);
      expect(remaining.size).toBe(0);
    }
  });

  it('fills the small demands and splits the rest equally', () => {
    const { assigned, remaining } = createEven({ random: seeded(2) }).assign(
      demandsOf({ a: 10, b: 2, c: 3, d: 5 }),
      13,
    );
    expect(toRecord(assigned)).toEqual({ a: 4, b: 2, c: 3, d: 4 });
    expect(toRecord(remaining)).toEqual({ a: 6, d: 1 });
  });

  it('gives the events that do not split evenly to single subscribers', () => {
    const { assigned, remaining } = createEven({ random: seeded(3) }).assign(
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
      const { assigned } = createEven({ random: seeded(seed) }).assign(demands, 5);
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

    const other = createEven({ random: seeded(4) }).assign(demandsOf(record), 7).assigned;
    expect(other.size).toBe(7);
    expect([...other].every(([, amount]) => amount === 1)).toBe(true);
  });

  it('assigns nothing when there are no events or no demand', () => {
    const strategy = createEven({ random: seeded(5) });
    const none = strategy.assign(demandsOf({ a: 2, b: 1 }), 0);
    expect(none.assigned.size).toBe(0);
    expect(toRecord(none.remaining)).toEqual({ a: 2, b: 1 });
    const empty = strategy.assign(new Demands<string>(), 10);
    expect(empty.assigned.size).toBe(0);
    expect(empty.remaining.size).toBe(0);
  });

  it('leaves its input unchanged and returns independent results', () => {
    const strategy = createEven({ random: seeded(6) });
    for (const eventCount of [0, 3, 13, 20, 40]) {
      const demands = demandsOf({ a: 10, b: 2, c: 3, d: 5 });
      const before = [...demands];
      const { assigned, remaining } = strategy.assign(demands, eventCount);
      expect([...demands]).toEqual(before);
      expect(demands.total).toBe(20);
      const assignedBefore = toRecord(assigned);
      const remainingBefore = toRecord(remaining);
      demands.add('e', 7).subtract('a', 10);
      expect(toRecord(assigned)).toEqual(assignedBefore);
      expect(toRecord(remaining)).toEqual(remainingBefore);
      remaining.add('f', 1);
      assigned.add('g', 1);
      expect(toRecord(demands)).toEqual({ b: 2, c: 3, d: 5, e: 7 });
    }
  });

  it('accepts a ReadonlyDemands that is not a core Demands', () => {
    const map = new Map([['a', 10], ['b', 2], ['c', 3], ['d', 5]]);
    const foreign: ReadonlyDemands<string> = {
      get: (subscriber) => map.get(subscriber) ?? 0,
      get total() {
        let sum = 0;
        for (const amount of map.values()) sum += amount;
        return sum;
      },
      get size() {
        return map.size;
      },
      subscribers: () => new Map(map),
      [Symbol.iterator]: () => map.entries(),
    };
    const strategy = createEven({ random: seeded(7) });
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
    const demands = new CountingDemands<number>();
    for (let i = 0; i < 100_000; i++) demands.add(i, 5);
    demands.reads = { get: 0, subscriberAt: 0, iterate: 0, subscribers: 0 };

    const { assigned, remaining } = createEven({ random: seeded(8) }).assign(demands, 1_000);

    expect(demands.reads.iterate).toBe(0);
    expect(demands.reads.subscribers).toBe(0);
    expect(demands.reads.get + demands.reads.subscriberAt).toBeLessThanOrEqual(2_000);
    expect(assigned.size).toBe(1_000);
    expect(assigned.total).toBe(1_000);
    expect(remaining.size).toBe(100_000);
    expect(remaining.total).toBe(499_000);
  });

  it.each([
    [-1, RangeError],
    [0.5, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    ['4', TypeError],
    [undefined, TypeError],
  ])('rejects eventCount %s with a %o naming it', (eventCount, type) => {
    const demands = demandsOf({ a: 1 });
    const assign = () => createEven().assign(demands, eventCount as number);
    expect(assign).toThrow(type);
    expect(assign).toThrow(/eventCount/);
    expect(toRecord(demands)).toEqual({ a: 1 });
  });

  it('rejects demands that are not an object', () => {
    expect(() => createEven().assign(null as unknown as Demands<string>, 1)).toThrow(TypeError);
  });

  it('rejects options that are not an object and a random that is not a function', () => {
    expect(() => createEven(42 as unknown as object)).toThrow(TypeError);
    expect(() => createEven({ random: 0.5 as unknown as () => number })).toThrow(/options\.random/);
  });

  it('keeps its picks in range when the random source misbehaves', () => {
    for (const value of [1, 2, -1, Number.NaN]) {
      const strategy = createEven({ random: () => value });
      const { assigned, remaining } = strategy.assign(demandsOf({ a: 2, b: 2, c: 2, d: 2 }), 5);
      expect(assigned.total).toBe(5);
      expect(remaining.total).toBe(3);
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
