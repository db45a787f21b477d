import { describe, expect, it, test } from 'vitest';
import { Demands, EventBuffer, StrategyContractError } from './index';
import type { AssignmentStrategy, ReadonlyDemands } from './index';

/** Fills subscribers in iteration order: deterministic, work-conserving, contract-abiding. */
const inOrder: AssignmentStrategy = {
  name: 'in-order',
  assign<S>(demands: ReadonlyDemands<S>, eventCount: number) {
    const assigned = new Demands<S>();
    const remaining = new Demands<S>(demands);
    let left = eventCount;
    for (const [subscriber, demand] of demands) {
      const n = Math.min(demand, left);
      if (n === 0) break;
      assigned.add(subscriber, n);
      remaining.subtract(subscriber, n);
      left -= n;
    }
    return { assigned, remaining };
  },
};

function buffer(capacity = 10, dropStrategy: 'drop-newest' | 'drop-oldest' = 'drop-newest') {
  return new EventBuffer<string, string>({ strategy: inOrder, capacity, dropStrategy });
}

describe('EventBuffer', () => {
  it('runs the seed scenario: capacity 4, five events, two subscribers asking 2', () => {
    const b = buffer(4);
    expect(b.stats()).toEqual({ buffered: 0, demand: 0 });
    expect(b.append(['a', 'b', 'c', 'd', 'e'])).toBe(1);
    expect(b.stats()).toEqual({ buffered: 4, demand: 0 });
    b.ask('one', 2);
    expect(b.stats()).toEqual({ buffered: 4, demand: 2 });
    b.ask('two', 2);
    expect(b.stats()).toEqual({ buffered: 4, demand: 4 });
    const assignments = b.assignEvents();
    expect(new Map(assignments)).toEqual(new Map([['one', ['a', 'b']], ['two', ['c', 'd']]]));
    expect(b.stats()).toEqual({ buffered: 0, demand: 0 });
    expect(b.size).toBe(0);
  });

  it('returns [] and changes nothing without events or without demand', () => {
    const b = buffer();
    b.ask('one', 3);
    expect(b.assignEvents()).toEqual([]);
    expect(b.stats()).toEqual({ buffered: 0, demand: 3 });
    const c = buffer();
    c.append(['a']);
    expect(c.assignEvents()).toEqual([]);
    expect(c.stats()).toEqual({ buffered: 1, demand: 0 });
  });

  it('treats ask(s, 0) as a no-op', () => {
    const b = buffer();
    b.append(['a']);
    b.ask('one', 0);
    expect(b.assignEvents()).toEqual([]);
    expect(b.demands.size).toBe(0);
  });

  it('keeps unmet demand and unassigned events for later calls', () => {
    const b = buffer();
    b.ask('one', 5);
    b.append(['a', 'b']);
    expect(b.assignEvents()).toEqual([['one', ['a', 'b']]]);
    expect(b.stats()).toEqual({ buffered: 0, demand: 3 });
    b.append(['c', 'd', 'e', 'f']);
    expect(b.assignEvents()).toEqual([['one', ['c', 'd', 'e']]]);
    expect(b.stats()).toEqual({ buffered: 1, demand: 0 });
  });

  it('cancels remaining demand on delete', () => {
    const b = buffer();
    b.ask('one', 5);
    b.ask('two', 7);
    b.delete('one');
    expect(b.stats()).toEqual({ buffered: 0, demand: 7 });
    b.append(['a']);
    expect(b.assignEvents()).toEqual([['two', ['a']]]);
  });

  test.each([
    ['drop-newest', ['a', 'b', 'c']],
    ['drop-oldest', ['c', 'd', 'e']],
  ] as const)('%s keeps %j of five events at capacity 3', (strategy, kept) => {
    const b = buffer(3, strategy);
    expect(b.append(['a', 'b', 'c', 'd', 'e'])).toBe(2);
    b.ask('one', 10);
    expect(b.assignEvents()).toEqual([['one', kept]]);
  });

  it('puts events back at the head with prepend', () => {
    const b = buffer(5);
    b.append(['c']);
    expect(b.prepend(['a', 'b'])).toBe(0);
    b.ask('one', 3);
    expect(b.assignEvents()).toEqual([['one', ['a', 'b', 'c']]]);
  });

  it('exposes capacity, drop strategy and a copy of the demands', () => {
    const b = buffer(7, 'drop-oldest');
    b.ask('one', 2);
    const copy = b.demands;
    copy.add('one', 5);
    expect([b.capacity, b.dropStrategy, b.stats().demand]).toEqual([7, 'drop-oldest', 2]);
  });

  it('throws StrategyContractError and changes nothing when a strategy over-assigns', () => {
    const greedyLiar: AssignmentStrategy = {
      name: 'liar',
      assign<S>(demands: ReadonlyDemands<S>) {
        return { assigned: new Demands<S>(demands), remaining: new Demands<S>() };
      },
    };
    const b = new EventBuffer<string, string>({ strategy: greedyLiar, capacity: 10 });
    b.append(['a']);
    b.ask('one', 5);
    expect(() => b.assignEvents()).toThrow(StrategyContractError);
    expect(b.stats()).toEqual({ buffered: 1, demand: 5 });
  });

  it('throws StrategyContractError when a strategy loses demand', () => {
    const loser: AssignmentStrategy = {
      name: 'loser',
      assign<S>() {
        return { assigned: new Demands<S>(), remaining: new Demands<S>() };
      },
    };
    const b = new EventBuffer<string, string>({ strategy: loser, capacity: 10 });
    b.append(['a']);
    b.ask('one', 5);
    expect(() => b.assignEvents()).toThrow(/loser/);
    expect(b.stats()).toEqual({ buffered: 1, demand: 5 });
  });

  describe('bad input', () => {
    test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('capacity %s throws a RangeError', (capacity) => {
      expect(() => new EventBuffer({ strategy: inOrder, capacity })).toThrow(RangeError);
    });

    it('capacity "4" throws a TypeError', () => {
      expect(() => new EventBuffer({ strategy: inOrder, capacity: '4' as unknown as number })).toThrow(TypeError);
    });

    test.each(['drop_oldest', ''])('drop strategy %j throws a RangeError', (dropStrategy) => {
      expect(() => new EventBuffer({ strategy: inOrder, capacity: 1, dropStrategy: dropStrategy as 'drop-oldest' })).toThrow(
        /dropStrategy/,
      );
    });

    it('a missing strategy throws a TypeError naming it', () => {
      expect(() => new EventBuffer({ capacity: 1 } as never)).toThrow(/options.strategy/);
      expect(() => new EventBuffer(undefined as never)).toThrow(TypeError);
    });

    test.each([-1, 0.5, Number.NaN])('ask with demand %s throws a RangeError and changes nothing', (demand) => {
      const b = buffer();
      b.ask('one', 1);
      expect(() => b.ask('one', demand)).toThrow(RangeError);
      expect(b.stats()).toEqual({ buffered: 0, demand: 1 });
    });

    it('append of a non-iterable throws a TypeError and changes nothing', () => {
      const b = buffer();
      b.append(['a']);
      expect(() => b.append(42 as unknown as string[])).toThrow(TypeError);
      expect(b.stats()).toEqual({ buffered: 1, demand: 0 });
    });
  });
});
