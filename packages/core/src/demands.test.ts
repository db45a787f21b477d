import { describe, expect, it, test } from 'vitest';
import { Demands } from './index';

describe('Demands', () => {
  it('adds, subtracts and keeps an O(1) total', () => {
    const demands = new Demands<string>().add('a', 3).add('b', 2).add('a', 1);
    expect([demands.get('a'), demands.get('b'), demands.total, demands.size]).toEqual([4, 2, 6, 2]);
    demands.subtract('a', 1);
    expect([demands.get('a'), demands.total]).toEqual([3, 5]);
  });

  it('treats 0 as a no-op for add and subtract', () => {
    const demands = new Demands<string>();
    demands.add('a', 0);
    expect([demands.size, demands.has('a')]).toEqual([0, false]);
    demands.add('a', 2).subtract('a', 0);
    expect(demands.get('a')).toBe(2);
  });

  it('forgets a subscriber that reaches 0 or below', () => {
    const demands = new Demands<string>([['a', 2], ['b', 1]]);
    demands.subtract('a', 2);
    demands.subtract('b', 5);
    expect([demands.size, demands.total, demands.has('a'), [...demands]]).toEqual([0, 0, false, []]);
  });

  it('returns 0 for unknown subscribers and ignores subtracting from them', () => {
    const demands = new Demands<object>();
    demands.subtract({}, 3);
    expect([demands.get({}), demands.size, demands.total]).toEqual([0, 0, 0]);
  });

  it('deletes a subscriber with all its demand', () => {
    const demands = new Demands<string>([['a', 2], ['b', 3], ['c', 4]]);
    demands.delete('a').delete('zzz');
    expect(demands.subscribers()).toEqual(new Map([['b', 3], ['c', 4]]));
    expect(demands.total).toBe(7);
  });

  it('accepts any Map key and sums repeated entries', () => {
    const sym = Symbol('s');
    const obj = {};
    const demands = new Demands<unknown>([[sym, 1], [obj, 2], [sym, 3]]);
    expect([demands.get(sym), demands.get(obj), demands.size]).toEqual([4, 2, 2]);
  });

  it('gives O(1) access to each subscriber by slot', () => {
    const demands = new Demands<string>([['a', 1], ['b', 2], ['c', 3]]);
    demands.delete('a');
    const seen = [demands.subscriberAt(0), demands.subscriberAt(1)].sort();
    expect(seen).toEqual(['b', 'c']);
    expect(demands.subscriberAt(2)).toBeUndefined();
  });

  it('gives the amount in each slot, matching the subscriber in that slot', () => {
    const demands = new Demands<string>([['a', 1], ['b', 2], ['c', 3]]);
    demands.delete('b');
    const pairs = [0, 1].map((i) => [demands.subscriberAt(i), demands.amountAt(i)]);
    expect(new Map(pairs as Array<[string, number]>)).toEqual(new Map([['a', 1], ['c', 3]]));
    expect(demands.amountAt(2)).toBeUndefined();
  });

  it('clones independently in both directions', () => {
    const original = new Demands<string>([['a', 5], ['b', 1]]);
    const copy = original.clone();
    copy.subtract('a', 2).delete('b').add('c', 7);
    original.add('d', 1);
    expect(original.subscribers()).toEqual(new Map([['a', 5], ['b', 1], ['d', 1]]));
    expect(copy.subscribers()).toEqual(new Map([['a', 3], ['c', 7]]));
    expect([original.total, copy.total]).toEqual([7, 10]);
  });

  it('keeps old copies readable after many changes to the newest', () => {
    const versions: Array<[Demands<number>, Map<number, number>]> = [];
    let current = new Demands<number>();
    for (let i = 0; i < 30; i++) {
      versions.push([current, current.subscribers()]);
      current = current.clone();
      current.add(i % 7, i + 1);
      if (i % 3 === 0) current.delete((i * 5) % 7);
    }
    for (const [version, snapshot] of versions) expect(version.subscribers()).toEqual(snapshot);
  });

  it('iterates over a snapshot', () => {
    const demands = new Demands<string>([['a', 1], ['b', 2]]);
    const seen: string[] = [];
    for (const [subscriber] of demands) {
      seen.push(subscriber);
      demands.delete('b');
    }
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  describe('bad input', () => {
    test.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])('amount %s throws a RangeError and changes nothing', (amount) => {
      const demands = new Demands<string>([['a', 1]]);
      expect(() => demands.add('a', amount)).toThrow(RangeError);
      expect(() => demands.subtract('a', amount)).toThrow(/amount/);
      expect([demands.get('a'), demands.total]).toEqual([1, 1]);
    });

    it('a string amount throws a TypeError', () => {
      expect(() => new Demands<string>().add('a', '2' as unknown as number)).toThrow(TypeError);
    });

    it('refuses a total past Number.MAX_SAFE_INTEGER', () => {
      const demands = new Demands<string>([['a', Number.MAX_SAFE_INTEGER]]);
      expect(() => demands.add('b', 1)).toThrow(RangeError);
      expect([demands.size, demands.total]).toEqual([1, Number.MAX_SAFE_INTEGER]);
    });
  });
});
