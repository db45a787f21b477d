// What createEven and createGreedy share: naming, bad input, and the contract of a split strategy.
import { Demands, type ReadonlyDemands } from '@dispenser/core';
import { createSeededRandom } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import { createEven } from './even';
import { createGreedy } from './greedy';
import { assignedTotal, demandsOf, toRecord } from './test/demands';

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
      expect(toRecord(strategy.assign(demandsOf({ a: 3, b: 2 }), eventCount))).toEqual({ a: 3, b: 2 });
    }
  });

  it('assigns nothing when there are no events or no demand', () => {
    const strategy = create({ random: createSeededRandom(5) });
    for (const record of [{ a: 2, b: 1 }, { a: 2 }]) expect(strategy.assign(demandsOf(record), 0)).toEqual([]);
    for (const eventCount of [3, 10]) expect(strategy.assign(new Demands<string>(), eventCount)).toEqual([]);
  });

  it('leaves its input unchanged and returns a list it does not keep', () => {
    const strategy = create({ random: createSeededRandom(6) });
    for (const eventCount of [0, 3, 12, 13, 20, 40]) {
      const demands = demandsOf({ a: 10, b: 2, c: 3, d: 5 });
      const before = [...demands];
      const result = strategy.assign(demands, eventCount);
      expect([...demands]).toEqual(before);
      expect(demands.total).toBe(20);
      const copy = toRecord(result);
      demands.add('e', 7).subtract('a', 10);
      expect(toRecord(result)).toEqual(copy);
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
    expect(Object.fromEntries(demands)).toEqual({ a: 1 });
  });

  it('rejects demands that are not an object', () => {
    expect(() => create().assign(null as unknown as Demands<string>, 1)).toThrow(TypeError);
    const withoutSlots = { get: () => 0, total: 1, size: 1, subscribers: () => new Map(), [Symbol.iterator]: () => [][Symbol.iterator]() };
    expect(() => create().assign(withoutSlots as unknown as ReadonlyDemands<string>, 1)).toThrow(/demands must be a ReadonlyDemands/);
  });

  it('rejects unknown option keys, listing the known ones', () => {
    expect(() => create({ rand: Math.random } as never)).toThrow(/options has unknown key "rand"; known keys: random/);
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
      expect(assignedTotal(strategy.assign(demandsOf({ a: 2, b: 2, c: 2, d: 2 }), 5))).toBe(5);
      expect(assignedTotal(strategy.assign(demandsOf({ a: 2, b: 2, c: 2 }), 5))).toBe(5);
    }
  });
});
