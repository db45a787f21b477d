// What createEven and createGreedy share: naming, bad input, and the contract of a split strategy.
import { Demands } from '@dispenser/core';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import { createEven } from './even';
import { createGreedy } from './greedy';
import { demandsOf, toRecord } from './test/demands';

describe.each([
  { factory: 'createEven', create: createEven, name: 'even' },
  { factory: 'createGreedy', create: createGreedy, name: 'greedy' },
])('$factory', ({ create, name }) => {
  it(`creates a strategy named ${name}`, () => {
    expect(create().name).toBe(name);
    expect(create({ random: () => 0 }).name).toBe(name);
  });

  it('gives every subscriber its full demand when the events cover the total', () => {
    const strategy = create({ random: createSeededRandom(1) });
    for (const eventCount of [5, 6, 9, 100]) {
      const { assigned, remaining } = strategy.assign(demandsOf({ a: 3, b: 2 }), eventCount);
      expect(toRecord(assigned)).toEqual({ a: 3, b: 2 });
      expect(remaining.total).toBe(0);
      expect(remaining.size).toBe(0);
    }
  });

  it('assigns nothing when there are no events or no demand', () => {
    const strategy = create({ random: createSeededRandom(5) });
    for (const record of [{ a: 2, b: 1 }, { a: 2 }]) {
      const none = strategy.assign(demandsOf(record), 0);
      expect(none.assigned.size).toBe(0);
      expect(toRecord(none.remaining)).toEqual(record);
    }
    for (const eventCount of [3, 10]) {
      const empty = strategy.assign(new Demands<string>(), eventCount);
      expect(empty.assigned.size).toBe(0);
      expect(empty.remaining.size).toBe(0);
    }
  });

  it('leaves its input unchanged and returns independent results', () => {
    const strategy = create({ random: createSeededRandom(6) });
    for (const eventCount of [0, 3, 12, 13, 20, 40]) {
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

  it.each([
    [-1, RangeError],
    [0.5, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    ['4', TypeError],
    [undefined, TypeError],
    [null, TypeError],
  ])('rejects eventCount %s with a %o naming it', (eventCount, type) => {
    const demands = demandsOf({ a: 1 });
    const assign = () => create().assign(demands, eventCount as number);
    expect(assign).toThrow(type);
    expect(assign).toThrow(/eventCount/);
    expect(toRecord(demands)).toEqual({ a: 1 });
  });

  it('rejects demands that are not an object', () => {
    expect(() => create().assign(null as unknown as Demands<string>, 1)).toThrow(TypeError);
  });

  it('rejects options that are not an object and a random that is not a function', () => {
    expect(() => create(42 as unknown as object)).toThrow(TypeError);
    expect(() => create('fast' as unknown as object)).toThrow(TypeError);
    expect(() => create({ random: 0.5 as unknown as () => number })).toThrow(/options\.random/);
    expect(() => create({ random: 'x' as unknown as () => number })).toThrow(/options\.random/);
  });

  it('keeps its totals right when the random source misbehaves', () => {
    for (const value of [1, 2, 7, -0.5, -1, Number.NaN]) {
      const strategy = create({ random: () => value });
      const four = strategy.assign(demandsOf({ a: 2, b: 2, c: 2, d: 2 }), 5);
      expect(four.assigned.total).toBe(5);
      expect(four.remaining.total).toBe(3);
      const three = strategy.assign(demandsOf({ a: 2, b: 2, c: 2 }), 5);
      expect(three.assigned.total).toBe(5);
      expect(three.remaining.total).toBe(1);
    }
  });
});
