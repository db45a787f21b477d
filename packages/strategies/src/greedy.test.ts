import { Demands } from '@dispenser/core';
import type { ReadonlyDemands } from '@dispenser/core';
import { describe, expect, it, vi } from 'vitest';
import { createGreedy, greedy } from './greedy';

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

describe('createGreedy', () => {
  it('creates a strategy named greedy', () => {
    expect(createGreedy().name).toBe('greedy');
    expect(createGreedy({ random: () => 0 }).name).toBe('greedy');
  });

  it('fills one subscriber before the next', () => {
    const { assigned, remaining } = createGreedy({ random: seeded(1) }).assign(demandsOf({ a: 10, b: 10 }), 16);
    expect(Object.values(toRecord(assigned)).sort((x, y) => x - y)).toEqual([6, 10]);
    expect(Object.values(toRecord(remaining))).toEqual([4]);
  });

  it('gives a few events to exactly one subscriber', () => {
    const { assigned, remaining } = createGreedy({ random: seeded(2) }).assign(demandsOf({ a: 10, b: 10 }), 3);
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
      const { assigned } = createGreedy({ random: seeded(seed) }).assign(demandsOf({ a: 5, b: 5, c: 5 }), 5);
      first.add([...assigned.subscribers().keys()].join());
    }
    expect([...first].sort()).toEqual(['a', 'b', 'c']);
  });

  it('moves on to the next subscriber when one asks for less than what is left', () => {
    const { assigned, remaining } = createGreedy({ random: () => 0 }).assign(demandsOf({ a: 1, b: 5, c: 2 }), 4);
    expect(toRecord(assigned)).toEqual({ a: 1, b: 3 });
    expect(toRecord(remaining)).toEqual({ b: 2, c: 2 });
  });

  it('gives every subscriber its full demand when the events cover the total', () => {
    const { assigned, remaining } = createGreedy({ random: seeded(3) }).assign(demandsOf({ a: 3, b: 2 }), 9);
    expect(toRecord(assigned)).toEqual({ a: 3, b: 2 });
    expect(remaining.size).toBe(0);
  });

  it('assigns nothing when there are no events or no demand', () => {
    const strategy = createGreedy({ random: seeded(4) });
    const none = strategy.assign(demandsOf({ a: 2 }), 0);
    expect(none.assigned.size).toBe(0);
    expect(toRecord(none.remaining)).toEqual({ a: 2 });
    expect(strategy.assign(new Demands<string>(), 3).assigned.size).toBe(0);
  });

  it('leaves its input unchanged and returns independent results', () => {
    const strategy = createGreedy({ random: seeded(5) });
    for (const eventCount of [0, 3, 12, 20, 40]) {
      const demands = demandsOf({ a: 10, b: 2, c: 3, d: 5 });
      const before = [...demands];
      const { assigned, remaining } = strategy.assign(demands, eventCount);
      expect([...demands]).toEqual(before);
      const assignedBefore = toRecord(assigned);
      const remainingBefore = toRecord(remaining);
      demands.add('e', 7).subtract('a', 10);
      expect(toRecord(assigned)).toEqual(assignedBefore);
      expect(toRecord(remaining)).toEqual(remainingBefore);
      remaining.add('f', 1);
      expect(toRecord(demands)).toEqual({ b: 2, c: 3, d: 5, e: 7 });
    }
  });

  it('accepts a ReadonlyDemands that is not a core Demands', () => {
    const map = new Map([['a', 4], ['b', 4]]);
    const foreign: ReadonlyDemands<string> = {
      get: (subscriber) => map.get(subscriber) ?? 0,
      total: 8,
      size: 2,
      subscribers: () => new Map(map),
      [Symbol.iterator]: () => map.entries(),
    };
    const { assigned, remaining } = createGreedy({ random: () => 0 }).assign(foreign, 6);
    expect(assigned).toBeInstanceOf(Demands);
    expect(toRecord(assigned)).toEqual({ a: 4, b: 2 });
    expect(toRecord(remaining)).toEqual({ b: 2 });
    expect([...map]).toEqual([['a', 4], ['b', 4]]);
  });

  it('does not touch subscribers that receive nothing', () => {
    const demands = new CountingDemands<number>();
    for (let i = 0; i < 100_000; i++) demands.add(i, 5);
    demands.reads = { get: 0, subscriberAt: 0, iterate: 0, subscribers: 0 };

    const { assigned, remaining } = createGreedy({ random: seeded(6) }).assign(demands, 1_000);

    expect(demands.reads.iterate).toBe(0);
    expect(demands.reads.subscribers).toBe(0);
    expect(demands.reads.subscriberAt).toBe(200);
    expect(demands.reads.get).toBeLessThanOrEqual(200);
    expect(assigned.size).toBe(200);
    expect(assigned.total).toBe(1_000);
    expect(remaining.size).toBe(99_800);
    expect(remaining.total).toBe(499_000);
  });

  it.each([
    [-1, RangeError],
    [0.5, RangeError],
    [Number.NaN, RangeError],
    ['4', TypeError],
    [null, TypeError],
  ])('rejects eventCount %s with a %o naming it', (eventCount, type) => {
    const demands = demandsOf({ a: 1 });
    const assign = () => createGreedy().assign(demands, eventCount as number);
    expect(assign).toThrow(type);
    expect(assign).toThrow(/eventCount/);
    expect(toRecord(demands)).toEqual({ a: 1 });
  });

  it('rejects options that are not an object and a random that is not a function', () => {
    expect(() => createGreedy('fast' as unknown as object)).toThrow(TypeError);
    expect(() => createGreedy({ random: 'x' as unknown as () => number })).toThrow(/options\.random/);
  });

  it('keeps its picks in range when the random source misbehaves', () => {
    for (const value of [1, 7, -0.5, Number.NaN]) {
      const { assigned, remaining } = createGreedy({ random: () => value }).assign(demandsOf({ a: 2, b: 2, c: 2 }), 5);
      expect(assigned.total).toBe(5);
      expect(remaining.total).toBe(1);
    }
  });
});

describe('greedy', () => {
  it('is a greedy strategy driven by Math.random', () => {
    expect(greedy.name).toBe('greedy');
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    expect(toRecord(greedy.assign(demandsOf({ a: 10, b: 10 }), 16).assigned)).toEqual({ a: 6, b: 10 });
  });
});
