import { runInNewContext } from 'node:vm';
import { describe, expect, it, test } from 'vitest';
import { Demands, EventBuffer, StrategyContractError } from './index';
import type { StrategyContractRule } from './index';
import { answering, inOrder } from './test/in-order-strategy';

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

  it('exposes capacity, drop strategy and a live read-only view of the demands', () => {
    const b = buffer(7, 'drop-oldest');
    const view = b.demands;
    b.ask('one', 2);
    expect([b.capacity, b.dropStrategy, view.total, view.get('one'), view.size]).toEqual([7, 'drop-oldest', 2, 2, 1]);
    expect('add' in view || 'subtract' in view || 'delete' in view).toBe(false);
    expect(Object.isFrozen(view)).toBe(true);
    b.append(['a']);
    b.assignEvents();
    expect([view.total, view.get('one'), view.subscriberAt(0), view.amountAt(0)]).toEqual([1, 1, 'one', 1]);
    expect(b.demands).toBe(view);
  });

  it('hands the strategy the live view and the number of buffered events', () => {
    const seen: Array<[unknown, number, number]> = [];
    const b = new EventBuffer<string, string>({
      strategy: answering('spy', (demands, eventCount) => {
        seen.push([demands, demands.total, eventCount]);
        return [];
      }),
      capacity: 10,
    });
    b.append(['a', 'b', 'c']);
    b.ask('one', 4);
    expect(b.assignEvents()).toEqual([]);
    expect(seen).toEqual([[b.demands, 4, 3]]);
    expect(b.stats()).toEqual({ buffered: 3, demand: 4 });
  });

  it('hands out FIFO slices in the order of the strategy\'s list', () => {
    const b = new EventBuffer<string, string>({
      strategy: answering('backwards', () => [['two', 1], ['one', 2]]),
      capacity: 10,
    });
    b.append(['a', 'b', 'c', 'd']);
    b.ask('one', 2);
    b.ask('two', 3);
    expect(b.assignEvents()).toEqual([['two', ['a']], ['one', ['b', 'c']]]);
    expect(b.stats()).toEqual({ buffered: 1, demand: 2 });
    expect([b.demands.get('one'), b.demands.get('two')]).toEqual([0, 2]);
  });

  it('accepts a list built in another realm (the check is structural)', () => {
    const b = new EventBuffer<string, string>({
      strategy: answering('foreign', () => runInNewContext('[["one", 2]]')),
      capacity: 10,
    });
    b.append(['a', 'b', 'c']);
    b.ask('one', 2);
    expect(b.assignEvents()).toEqual([['one', ['a', 'b']]]);
  });

  describe('a strategy that breaks its contract', () => {
    const other = {};
    test.each<[StrategyContractRule, string, unknown]>([
      ['not-a-list', 'an object', { assigned: new Demands(), remaining: new Demands() }],
      ['not-a-list', 'undefined', undefined],
      ['malformed-entry', 'a bare subscriber', ['one']],
      ['malformed-entry', 'a triple', [['one', 1, 'extra']]],
      ['malformed-entry', 'null', [null]],
      ['no-demand', 'an unknown subscriber', [[other, 1]]],
      ['no-demand', 'a subscriber whose demand is met', [['one', 2], ['gone', 1]]],
      ['bad-count', '0', [['one', 0]]],
      ['bad-count', 'more than the demand', [['two', 4]]],
      ['bad-count', 'a fraction', [['one', 1.5]]],
      ['bad-count', 'a string', [['one', '1']]],
      ['bad-count', 'NaN', [['one', Number.NaN]]],
      ['duplicate-subscriber', 'a subscriber twice', [['one', 1], ['one', 1]]],
      ['too-many-events', 'more events than buffered', [['one', 2], ['two', 3]]],
    ])('throws StrategyContractError (%s: %s) and changes nothing', (rule, _case, answer) => {
      const b = new EventBuffer<string, string>({ strategy: answering('liar', () => answer), capacity: 10 });
      b.append(['a', 'b', 'c', 'd']);
      b.ask('one', 2);
      b.ask('two', 3);
      b.ask('gone', 1);
      b.delete('gone');
      let error: unknown;
      try {
        b.assignEvents();
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(StrategyContractError);
      expect(error).toMatchObject({ code: 'STRATEGY_CONTRACT', rule });
      expect((error as Error).message).toContain(`strategy 'liar' broke its contract (${rule})`);
      expect(b.stats()).toEqual({ buffered: 4, demand: 5 });
      expect([b.demands.get('one'), b.demands.get('two')]).toEqual([2, 3]);
    });

    it('leaves events and demand as they were when the strategy throws', () => {
      const b = new EventBuffer<string, string>({
        strategy: answering('thrower', () => {
          throw new Error('boom');
        }),
        capacity: 10,
      });
      b.append(['a']);
      b.ask('one', 3);
      expect(() => b.assignEvents()).toThrow('boom');
      expect(b.stats()).toEqual({ buffered: 1, demand: 3 });
    });

    it('reads each entry once, so an entry that changes on a second read cannot slip through', () => {
      let reads = 0;
      const shifty = new Proxy(['one', 1], {
        get(target, key, receiver) {
          if (key === '1') return ++reads === 1 ? 1 : 99;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      const b = new EventBuffer<string, string>({ strategy: answering('shifty', () => [shifty]), capacity: 10 });
      b.append(['a', 'b', 'c']);
      b.ask('one', 2);
      expect(b.assignEvents()).toEqual([['one', ['a']]]);
      expect(b.stats()).toEqual({ buffered: 2, demand: 1 });
    });
  });

  describe('watchDrops', () => {
    test.each([
      ['drop-newest', ['d', 'e'], [['z'], 'drop-newest']],
      ['drop-oldest', ['a', 'b'], [['z'], 'drop-oldest']],
    ] as const)('hands the listener what %s drops, oldest first', (dropStrategy, fromAppend, fromPrepend) => {
      const b = buffer(3, dropStrategy);
      const drops: unknown[] = [];
      b.watchDrops((events, reason) => drops.push([events, reason]));
      expect(b.append(['a', 'b', 'c', 'd', 'e'])).toBe(2);
      expect(b.prepend(['z'])).toBe(1);
      expect(drops[0]).toEqual([fromAppend, dropStrategy]);
      expect(drops[1]).toEqual(dropStrategy === 'drop-oldest' ? fromPrepend : [['c'], 'drop-newest']);
      b.watchDrops(undefined);
      b.append(['x']);
      expect(drops).toHaveLength(2);
    });

    it('reports what appendAndAssign drops on the direct path', () => {
      const newest = buffer(2, 'drop-newest');
      const oldest = buffer(2, 'drop-oldest');
      const drops: unknown[] = [];
      for (const b of [newest, oldest]) {
        b.watchDrops((events, reason) => drops.push([events, reason]));
        b.ask('one', 1);
        b.appendAndAssign(['a', 'b', 'c', 'd'], []);
      }
      expect(drops).toEqual([[['c', 'd'], 'drop-newest'], [['a', 'b'], 'drop-oldest']]);
    });

    it('rejects a listener that is not a function', () => {
      expect(() => buffer().watchDrops('log' as never)).toThrow(/listener must be a function/);
    });
  });

  describe('appendAndAssign', () => {
    it('hands events straight out of the batch when nothing is buffered, and buffers the rest', () => {
      const b = buffer(3, 'drop-oldest');
      b.ask('one', 2);
      const pairs: Array<[string, string[]]> = [];
      expect(b.appendAndAssign(['a', 'b', 'c', 'd', 'e'], pairs)).toBe(2);
      expect(pairs).toEqual([['one', ['c', 'd']]]);
      expect(b.stats()).toEqual({ buffered: 1, demand: 0 });
      expect(b.assignEvents()).toEqual([]);
      b.ask('two', 5);
      expect(b.assignEvents()).toEqual([['two', ['e']]]);
    });

    it('appends then assigns when events are already buffered', () => {
      const b = buffer(10);
      b.append(['a']);
      b.ask('one', 2);
      const pairs: Array<[string, string[]]> = [];
      expect(b.appendAndAssign(['b', 'c'], pairs)).toBe(0);
      expect(pairs).toEqual([['one', ['a', 'b']]]);
      expect(b.stats()).toEqual({ buffered: 1, demand: 0 });
    });

    test.each([
      ['drop-newest', ['a', 'b']],
      ['drop-oldest', ['b', 'c']],
    ] as const)('leaves the events buffered as append alone would when the strategy throws (%s)', (dropStrategy, kept) => {
      let calls = 0;
      const b = new EventBuffer<string, string>({
        strategy: answering('fails-once', (demands, eventCount) => {
          if (calls++ === 0) throw new Error('boom');
          return inOrder.assign(demands, eventCount);
        }),
        capacity: 2,
        dropStrategy,
      });
      b.ask('one', 1);
      const pairs: Array<[string, string[]]> = [];
      expect(() => b.appendAndAssign(['a', 'b', 'c'], pairs)).toThrow('boom');
      expect(pairs).toEqual([]);
      expect(b.stats()).toEqual({ buffered: 2, demand: 1 });
      b.ask('one', 1);
      expect(b.assignEvents()).toEqual([['one', kept]]);
    });

    it('rejects a batch that is not an array', () => {
      expect(() => buffer().appendAndAssign('ab' as unknown as string[], [])).toThrow(/events must be an array/);
    });
  });

  it('keeps no history: holding the demands view while the buffer churns retains nothing', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run with --expose-gc (the vitest preset sets it)');
    const b = new EventBuffer<number, number>({ strategy: inOrder, capacity: 100, dropStrategy: 'drop-oldest' });
    const held = b.demands;
    const batch = [1, 2, 3];
    const rounds = 1_000_000;
    const churn = (count: number) => {
      for (let i = 0; i < count; i++) {
        b.append(batch);
        b.ask(i % 7, 2);
        b.assignEvents();
      }
    };
    churn(10_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    churn(rounds);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(held.total).toBe(b.stats().demand);
    expect(grown).toBeLessThan(2 * 1024 * 1024);
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

    it('unknown option keys throw a TypeError listing the known ones', () => {
      expect(() => new EventBuffer({ strategy: inOrder, capacity: 1, dropStategy: 'drop-oldest' } as never)).toThrow(
        /options has unknown key "dropStategy"; known keys: strategy, capacity, dropStrategy/,
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

    test.each([42, 'abc', new Set(['a']), undefined])('append of %j (not an array) throws a TypeError and changes nothing', (events) => {
      const b = buffer();
      b.append(['a']);
      expect(() => b.append(events as unknown as string[])).toThrow(/events must be an array/);
      expect(() => b.prepend(events as unknown as string[])).toThrow(TypeError);
      expect(b.stats()).toEqual({ buffered: 1, demand: 0 });
    });

    it('refuses demand that would take the total past Number.MAX_SAFE_INTEGER, naming demand', () => {
      const b = buffer();
      b.ask('one', Number.MAX_SAFE_INTEGER - 1);
      expect(() => b.ask('two', 2)).toThrow(/demand 2 \(number\) would take the total demand past/);
      b.ask('two', 1);
      expect(b.stats().demand).toBe(Number.MAX_SAFE_INTEGER);
    });
  });
});
