import { DispenserError } from '@dispenser/core';
import { describe, expect, it, vi } from 'vitest';
import { DemandDispatcher } from './demand-dispatcher';
import { AlreadySubscribedError, NotSubscribedError } from './errors';
import type { DemandDispatcherOptions } from './demand-dispatcher';
import { recordSends } from './test/record-sends';

/** A dispatcher whose sends are recorded; `take()` returns and clears them. */
function setup(options?: DemandDispatcherOptions<string>) {
  const { send, take } = recordSends<string>();
  return { dispatcher: new DemandDispatcher<string, string>(send, options), take };
}

describe('DemandDispatcher', () => {
  it('serves the biggest demand first and FIFO among ties (the issue example)', () => {
    const { dispatcher, take } = setup();
    expect(dispatcher.subscribe('A')).toBe(0);
    expect(dispatcher.subscribe('B')).toBe(0);
    expect(dispatcher.ask('A', 3)).toBe(3);
    expect(dispatcher.ask('B', 2)).toBe(2);
    expect(dispatcher.consumers()).toEqual([['A', 3], ['B', 2]]);

    expect(dispatcher.dispatch(['a', 'b', 'c', 'd', 'e'])).toEqual([]);
    expect(take()).toEqual([['A', ['a', 'b', 'c']], ['B', ['d', 'e']]]);
    expect(dispatcher.consumers()).toEqual([['A', 0], ['B', 0]]);

    expect(dispatcher.ask('A', 3)).toBe(3);
    expect(dispatcher.ask('B', 3)).toBe(3);
    expect(dispatcher.consumers()).toEqual([['A', 3], ['B', 3]]);

    expect(dispatcher.dispatch(['a', 'b'])).toEqual([]);
    expect(take()).toEqual([['A', ['a', 'b']]]);
    expect(dispatcher.consumers()).toEqual([['B', 3], ['A', 1]]);

    expect(dispatcher.dispatch(['c', 'd'])).toEqual([]);
    expect(take()).toEqual([['B', ['c', 'd']]]);
    expect(dispatcher.consumers()).toEqual([['A', 1], ['B', 1]]);

    expect(dispatcher.dispatch(['e', 'f', 'g'])).toEqual(['g']);
    expect(take()).toEqual([['A', ['e']], ['B', ['f']]]);
    expect(dispatcher.consumers()).toEqual([['A', 0], ['B', 0]]);
    expect(dispatcher.demand()).toBe(0);
  });

  it('puts a consumer whose demand changes after every consumer with the same demand', () => {
    const { dispatcher, take } = setup();
    for (const c of ['A', 'B', 'C']) dispatcher.subscribe(c);
    dispatcher.ask('A', 2);
    dispatcher.ask('B', 1);
    dispatcher.ask('C', 1);
    expect(dispatcher.consumers()).toEqual([['A', 2], ['B', 1], ['C', 1]]);
    dispatcher.dispatch(['x']);
    expect(take()).toEqual([['A', ['x']]]);
    expect(dispatcher.consumers()).toEqual([['B', 1], ['C', 1], ['A', 1]]);
    dispatcher.dispatch(['y', 'z']);
    expect(take()).toEqual([['B', ['y']], ['C', ['z']]]);
    expect(dispatcher.consumers()).toEqual([['A', 1], ['B', 0], ['C', 0]]);
  });

  it('adds new consumers after every other consumer, with no demand', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    dispatcher.ask('B', 1);
    dispatcher.subscribe('C');
    expect(dispatcher.consumers()).toEqual([['B', 1], ['A', 0], ['C', 0]]);
    expect(dispatcher.size).toBe(3);
    expect(dispatcher.has('C')).toBe(true);
    expect(dispatcher.demandOf('C')).toBe(0);
  });

  it('stops at a consumer without demand and returns the rest as leftovers', () => {
    const { dispatcher, take } = setup();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    dispatcher.ask('A', 2);
    const events = ['a', 'b', 'c', 'd', 'e'];
    const leftovers = dispatcher.dispatch(events);
    expect(leftovers).toEqual(['c', 'd', 'e']);
    expect(events).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(take()).toEqual([['A', ['a', 'b']]]);
  });

  it('returns every event (as a new array) when nobody is subscribed, and ignores an empty dispatch', () => {
    const { dispatcher, take } = setup();
    const events = ['a', 'b'];
    const leftovers = dispatcher.dispatch(events);
    expect(leftovers).toEqual(['a', 'b']);
    expect(leftovers).not.toBe(events);
    expect(dispatcher.dispatch([])).toEqual([]);
    expect(take()).toEqual([]);
  });

  it('turns the demand of a cancelled consumer into pending demand that later asks use up', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    expect(dispatcher.ask('A', 10)).toBe(10);
    expect(dispatcher.cancel('A')).toBe(0);
    expect(dispatcher.pending).toBe(10);
    expect(dispatcher.has('A')).toBe(false);
    expect(dispatcher.demand()).toBe(0);

    dispatcher.subscribe('B');
    expect(dispatcher.ask('B', 5)).toBe(0);
    expect(dispatcher.pending).toBe(5);
    expect(dispatcher.ask('B', 7)).toBe(2);
    expect(dispatcher.pending).toBe(0);
    expect(dispatcher.demandOf('B')).toBe(12);
  });

  it('reduces pending demand by the leftovers of a dispatch, never below 0', () => {
    const { dispatcher, take } = setup();
    dispatcher.subscribe('A');
    dispatcher.ask('A', 10);
    dispatcher.cancel('A');
    dispatcher.subscribe('B');
    dispatcher.ask('B', 1);
    expect(dispatcher.pending).toBe(9);
    expect(dispatcher.dispatch(['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd']);
    expect(take()).toEqual([['B', ['a']]]);
    expect(dispatcher.pending).toBe(6);
    dispatcher.dispatch(['e', 'f', 'g', 'h', 'i', 'j', 'k', 'l']);
    expect(dispatcher.pending).toBe(0);
  });

  it('ignores cancelling a consumer that is not subscribed', () => {
    const { dispatcher } = setup();
    expect(dispatcher.cancel('ghost')).toBe(0);
    expect(dispatcher.pending).toBe(0);
  });

  it('treats ask 0 as a no-op that keeps the order', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    dispatcher.ask('A', 1);
    dispatcher.ask('B', 1);
    expect(dispatcher.ask('A', 0)).toBe(0);
    expect(dispatcher.consumers()).toEqual([['A', 1], ['B', 1]]);
  });

  it('shuffles equal demands on the first dispatch only and never stops at a consumer without demand', () => {
    const random = vi.fn(() => 0);
    const { dispatcher, take } = setup({ shuffleDemandsOnFirstDispatch: true, random });
    for (const c of ['A', 'B', 'C']) dispatcher.subscribe(c);
    dispatcher.ask('B', 2);
    dispatcher.ask('C', 2);
    // random() = 0 shuffles A (no demand) to the front: GenStage would stop there and send nothing.
    expect(dispatcher.dispatch(['1', '2', '3', '4', '5'])).toEqual(['5']);
    expect(take()).toEqual([['C', ['1', '2']], ['B', ['3', '4']]]);
    expect(random).toHaveBeenCalledTimes(2);

    dispatcher.ask('B', 1);
    dispatcher.ask('C', 1);
    dispatcher.dispatch(['6', '7']);
    expect(take()).toEqual([['B', ['6']], ['C', ['7']]]);
    expect(random).toHaveBeenCalledTimes(2);
  });

  it('does not use up the shuffle on an empty dispatch', () => {
    const random = vi.fn(() => 0);
    const { dispatcher, take } = setup({ shuffleDemandsOnFirstDispatch: true, random });
    dispatcher.subscribe('A');
    dispatcher.subscribe('B');
    dispatcher.ask('A', 1);
    dispatcher.ask('B', 1);
    dispatcher.dispatch([]);
    expect(random).not.toHaveBeenCalled();
    dispatcher.dispatch(['x', 'y']);
    expect(random).toHaveBeenCalledTimes(1);
    expect(take()).toEqual([['B', ['x']], ['A', ['y']]]);
  });

  it('warns through onWarning when an ask exceeds maxDemand, and still honours it', () => {
    const onWarning = vi.fn();
    const { dispatcher } = setup({ maxDemand: 5, onWarning });
    dispatcher.subscribe('A');
    dispatcher.ask('A', 5);
    expect(onWarning).not.toHaveBeenCalled();
    expect(dispatcher.ask('A', 6)).toBe(6);
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning.mock.calls[0]?.[0]).toMatchObject({ consumer: 'A', demand: 6, maxDemand: 5 });
    expect(onWarning.mock.calls[0]?.[0].message).toContain('6');
    expect(dispatcher.demandOf('A')).toBe(11);
  });

  it('takes the first ask as the maximum demand when none is given', () => {
    const onWarning = vi.fn();
    const { dispatcher } = setup({ onWarning });
    dispatcher.subscribe('A');
    expect(dispatcher.maxDemand).toBeUndefined();
    dispatcher.ask('A', 3);
    expect(dispatcher.maxDemand).toBe(3);
    dispatcher.ask('A', 3);
    expect(onWarning).not.toHaveBeenCalled();
    dispatcher.ask('A', 4);
    expect(onWarning).toHaveBeenCalledWith(expect.objectContaining({ demand: 4, maxDemand: 3 }));
  });

  it('throws a coded error when subscribing twice or asking for an unknown consumer, changing nothing', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    dispatcher.ask('A', 2);
    const twice = (() => {
      try {
        dispatcher.subscribe('A');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(twice).toBeInstanceOf(DispenserError);
    expect(twice).toBeInstanceOf(AlreadySubscribedError);
    expect(twice).toMatchObject({ code: 'ALREADY_SUBSCRIBED' });
    expect(() => dispatcher.ask('B', 1)).toThrow(expect.objectContaining({ code: 'NOT_SUBSCRIBED' }));
    expect(() => dispatcher.ask('B', 1)).toThrow(NotSubscribedError);
    expect(dispatcher.consumers()).toEqual([['A', 2]]);
  });

  it('rejects bad demands naming the argument, changing nothing', () => {
    const { dispatcher } = setup();
    dispatcher.subscribe('A');
    expect(() => dispatcher.ask('A', -1)).toThrow(RangeError);
    expect(() => dispatcher.ask('A', 1.5)).toThrow(/demand/);
    expect(() => dispatcher.ask('A', '2' as unknown as number)).toThrow(TypeError);
    expect(dispatcher.demand()).toBe(0);
    expect(dispatcher.maxDemand).toBeUndefined();
  });

  it('validates its arguments', () => {
    const send = () => undefined;
    expect(() => new DemandDispatcher(undefined as never)).toThrow(TypeError);
    expect(() => new DemandDispatcher(send, null as never)).toThrow(TypeError);
    expect(() => new DemandDispatcher(send, { maxDemand: 0 })).toThrow(/options\.maxDemand/);
    expect(() => new DemandDispatcher(send, { shuffleDemandsOnFirstDispatch: 'yes' as never })).toThrow(TypeError);
    expect(() => new DemandDispatcher(send, { onWarning: 1 as never })).toThrow(/options\.onWarning/);
    expect(() => new DemandDispatcher(send, { random: null as never })).toThrow(/options\.random/);
  });

  it('updates its state before sending, so send may call back into it', () => {
    const seen: number[] = [];
    const dispatcher: DemandDispatcher<number, string> = new DemandDispatcher<number, string>((consumer) => {
      seen.push(dispatcher.demandOf(consumer));
      dispatcher.ask(consumer, 1);
    });
    dispatcher.subscribe('A');
    dispatcher.ask('A', 2);
    dispatcher.dispatch([1, 2, 3]);
    expect(seen).toEqual([0]);
    expect(dispatcher.demandOf('A')).toBe(1);
  });
});
