import { DispenserError } from '@dispenser/core';
import { describe, expect, it } from 'vitest';
import { BroadcastDispatcher } from './broadcast-dispatcher';
import { AlreadySubscribedError } from './errors';
import { recordSends } from './test/record-sends';

/** A dispatcher whose sends are recorded; `take()` returns and clears them. */
function setup<E = string>() {
  const { send, take } = recordSends<E>();
  return { dispatcher: new BroadcastDispatcher<E, string>(send), take };
}

describe('BroadcastDispatcher', () => {
  it('releases events once every consumer asked, to all of them (the issue example)', () => {
    const { dispatcher, take } = setup();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    expect(dispatcher.ask('A', 3)).toBe(0);
    expect(dispatcher.waiting).toBe(0);
    expect(dispatcher.ask('B', 2)).toBe(2);
    expect(dispatcher.waiting).toBe(2);
    expect(dispatcher.requested).toBe(2);
    expect([dispatcher.demandOf('A'), dispatcher.demandOf('B')]).toEqual([3, 2]);

    expect(dispatcher.dispatch(['a', 'b'])).toEqual([]);
    expect(take()).toEqual([['A', ['a', 'b']], ['B', ['a', 'b']]]);
    expect(dispatcher.waiting).toBe(0);
    expect(dispatcher.requested).toBe(0);
    expect([dispatcher.demandOf('A'), dispatcher.demandOf('B')]).toEqual([1, 0]);
    expect(dispatcher.demand()).toBe(1);
  });

  it('lets the slowest consumer pace everyone', () => {
    const { dispatcher, take } = setup();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    dispatcher.ask('A', 5);
    dispatcher.ask('B', 2);
    expect(dispatcher.dispatch(['a', 'b', 'c', 'd', 'e'])).toEqual(['c', 'd', 'e']);
    expect(take()).toEqual([['A', ['a', 'b']], ['B', ['a', 'b']]]);
    expect(dispatcher.dispatch(['c'])).toEqual(['c']);
    expect(take()).toEqual([]);
    expect(dispatcher.ask('B', 1)).toBe(1);
    expect(dispatcher.dispatch(['c', 'd'])).toEqual(['d']);
    expect(take()).toEqual([['A', ['c']], ['B', ['c']]]);
    expect([dispatcher.demandOf('A'), dispatcher.demandOf('B')]).toEqual([2, 0]);
  });

  it('does not request the same demand twice when a consumer subscribes late', () => {
    const { dispatcher, take } = setup();
    dispatcher.subscribe('A');
    expect(dispatcher.ask('A', 1000)).toBe(1000);
    expect(dispatcher.subscribe('B')).toBe(0);
    // The waiting demand goes back to A; nothing is released until B asks.
    expect(dispatcher.waiting).toBe(0);
    expect(dispatcher.requested).toBe(1000);
    expect([dispatcher.demandOf('A'), dispatcher.demandOf('B')]).toEqual([1000, 0]);
    expect(dispatcher.dispatch(['x'])).toEqual(['x']);
    expect(take()).toEqual([]);

    expect(dispatcher.ask('B', 1000)).toBe(0);
    expect(dispatcher.waiting).toBe(1000);
    expect(dispatcher.ask('B', 10)).toBe(0);
    expect(dispatcher.ask('A', 10)).toBe(10);
    expect(dispatcher.requested).toBe(1010);
  });

  it('releases demand when the slowest consumer is cancelled', () => {
    const { dispatcher, take } = setup();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    expect(dispatcher.ask('A', 5)).toBe(0);
    expect(dispatcher.ask('B', 2)).toBe(2);
    expect(dispatcher.cancel('B')).toBe(3);
    expect(dispatcher.waiting).toBe(5);
    expect(dispatcher.requested).toBe(5);
    expect(dispatcher.dispatch(['a', 'b', 'c', 'd', 'e', 'f'])).toEqual(['f']);
    expect(take()).toEqual([['A', ['a', 'b', 'c', 'd', 'e']]]);
  });

  it('forgets waiting demand when the last consumer is cancelled, and ignores unknown consumers', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    dispatcher.ask('A', 4);
    expect(dispatcher.cancel('A')).toBe(0);
    expect(dispatcher.waiting).toBe(0);
    expect(dispatcher.size).toBe(0);
    expect(dispatcher.cancel('A')).toBe(0);
    expect(dispatcher.dispatch(['a'])).toEqual(['a']);
  });

  it('sends only what a selector accepts and gives the demand of the rest back', () => {
    const { dispatcher, take } = setup<number>();
    dispatcher.subscribe('even', { selector: (n: number) => n % 2 === 0 });
    dispatcher.subscribe('all');
    dispatcher.ask('even', 4);
    dispatcher.ask('all', 4);
    expect(dispatcher.dispatch([1, 2, 3, 4])).toEqual([]);
    expect(take()).toEqual([['even', [2, 4]], ['all', [1, 2, 3, 4]]]);
    expect([dispatcher.demandOf('even'), dispatcher.demandOf('all')]).toEqual([2, 0]);

    expect(dispatcher.ask('all', 2)).toBe(2);
    expect(dispatcher.dispatch([5, 6])).toEqual([]);
    expect(take()).toEqual([['even', [6]], ['all', [5, 6]]]);
    expect([dispatcher.demandOf('even'), dispatcher.demandOf('all')]).toEqual([1, 0]);
  });

  it('returns the upstream demand that selectors give back from the next ask', () => {
    const { dispatcher, take } = setup<number>();
    dispatcher.subscribe('even', { selector: (n: number) => n % 2 === 0 });
    dispatcher.subscribe('odd', { selector: (n: number) => n % 2 === 1 });
    dispatcher.ask('even', 2);
    expect(dispatcher.ask('odd', 2)).toBe(2);
    dispatcher.dispatch([1, 2]);
    expect(take()).toEqual([['even', [2]], ['odd', [1]]]);
    // Both got one event of the two released: each still wants one, so one more is waiting.
    expect(dispatcher.waiting).toBe(1);
    expect(dispatcher.requested).toBe(0);
    expect(dispatcher.ask('even', 1)).toBe(1);
    expect(dispatcher.requested).toBe(1);
    expect(dispatcher.dispatch([4, 6])).toEqual([6]);
    expect(take()).toEqual([['even', [4]]]);
  });

  it('makes no send call for a consumer whose selector rejects a whole batch', () => {
    const { dispatcher, take } = setup<number>();
    dispatcher.subscribe('none', { selector: () => false });
    dispatcher.subscribe('all');
    dispatcher.ask('none', 2);
    dispatcher.ask('all', 2);
    dispatcher.dispatch([1, 2]);
    expect(take()).toEqual([['all', [1, 2]]]);
    expect(dispatcher.demandOf('none')).toBe(2);
  });

  it('gives each consumer its own array', () => {
    const { dispatcher, take } = setup();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    dispatcher.ask('A', 1);
    dispatcher.ask('B', 1);
    const events = ['a'];
    dispatcher.dispatch(events);
    const [[, first], [, second]] = take() as [[string, string[]], [string, string[]]];
    expect(first).not.toBe(second);
    expect(first).not.toBe(events);
  });

  it('throws when a consumer subscribes twice, changing nothing', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    dispatcher.ask('A', 3);
    expect(dispatcher.waiting).toBe(3);
    let caught: unknown;
    try {
      dispatcher.subscribe('A');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DispenserError);
    expect(caught).toBeInstanceOf(AlreadySubscribedError);
    expect(caught).toMatchObject({ code: 'ALREADY_SUBSCRIBED' });
    expect(dispatcher.waiting).toBe(3);
    expect(dispatcher.size).toBe(1);
  });

  it('rejects a selector that is not a function, changing nothing', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    dispatcher.ask('A', 3);
    expect(() => dispatcher.subscribe('B', { selector: 'yes' as never })).toThrow(/options\.selector/);
    expect(() => dispatcher.subscribe('B', 7 as never)).toThrow(TypeError);
    expect(dispatcher.has('B')).toBe(false);
    expect(dispatcher.waiting).toBe(3);
  });

  it('leaves everything unchanged when a selector throws', () => {
    const { dispatcher, take } = setup<number>();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B', {
      selector: (n: number) => {
        if (n === 2) throw new Error('boom');
        return true;
      },
    });
    dispatcher.ask('A', 2);
    dispatcher.ask('B', 2);
    expect(() => dispatcher.dispatch([1, 2])).toThrow('boom');
    expect(take()).toEqual([]);
    expect(dispatcher.waiting).toBe(2);
    expect(dispatcher.requested).toBe(2);
  });

  it('rejects asks for unknown consumers and bad demands; ask 0 is a no-op', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    expect(() => dispatcher.ask('B', 1)).toThrow(expect.objectContaining({ code: 'NOT_SUBSCRIBED' }));
    expect(() => dispatcher.ask('A', -2)).toThrow(RangeError);
    expect(() => dispatcher.ask('A', Number.NaN)).toThrow(/demand/);
    expect(dispatcher.ask('A', 0)).toBe(0);
    expect(dispatcher.demand()).toBe(0);
  });

  it('returns a copy of the events when it can send nothing', () => {
    const { dispatcher } = setup();
    const events = ['a'];
    const leftovers = dispatcher.dispatch(events);
    expect(leftovers).toEqual(['a']);
    expect(leftovers).not.toBe(events);
    expect(dispatcher.dispatch([])).toEqual([]);
  });

  it('validates its arguments', () => {
    expect(() => new BroadcastDispatcher(null as never)).toThrow(/send/);
    expect(() => new BroadcastDispatcher(() => undefined, 3 as never)).toThrow(TypeError);
  });
});
