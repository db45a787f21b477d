import { describe, expect, it } from 'vitest';
import { DispatchingBuffer } from './index';
import type { Send } from './index';
import { FifoDispatcher } from './test/fifo-dispatcher';

/**
 * A {@link FifoDispatcher} that records its calls; knobs let tests make it send during ask or
 * subscribe, hold events back, take few events per call (`perDispatch`) or throw.
 */
class TestDispatcher<E, C> extends FifoDispatcher<E, C> {
  readonly calls: string[] = [];
  readonly options = new Map<C, Record<string, unknown> | undefined>();
  /** Sent (up to the demand) on the next ask, before dispatch: a backlog. */
  backlog: E[] = [];
  /** Sent to every new consumer on subscribe, whatever its demand. */
  welcome: E[] = [];
  /** Counted by `buffered()`. */
  held: E[] = [];
  failDispatch = false;
  /** Events on which dispatch throws (a poison event), wherever they sit in the batch. */
  poison = new Set<E>();

  override subscribe(consumer: C, options?: Record<string, unknown>): number {
    if (options?.['reject'] === true) throw new TypeError('rejected options');
    this.calls.push(`subscribe ${String(consumer)}`);
    super.subscribe(consumer);
    this.options.set(consumer, options);
    if (this.welcome.length > 0) this.send(consumer, this.welcome.splice(0));
    return 0;
  }

  override cancel(consumer: C): number {
    this.calls.push(`cancel ${String(consumer)}`);
    return super.cancel(consumer);
  }

  override ask(consumer: C, demand: number): number {
    this.calls.push(`ask ${String(consumer)} ${demand}`);
    let total = (this.demands.get(consumer) ?? 0) + demand;
    const served = Math.min(total, this.backlog.length);
    if (served > 0) this.send(consumer, this.backlog.splice(0, served));
    total -= served;
    this.demands.set(consumer, total);
    return demand;
  }

  override dispatch(events: E[]): E[] {
    this.calls.push(`dispatch ${events.length}`);
    if (this.failDispatch) throw new Error('dispatch failed');
    for (const event of events) if (this.poison.has(event)) throw new Error(`cannot handle ${String(event)}`);
    return super.dispatch(events);
  }

  buffered(): number {
    return this.held.length;
  }
}

function setup(options: { capacity?: number; dropStrategy?: 'drop-newest' | 'drop-oldest'; subscribeOptions?: (s: string) => Record<string, unknown> } = {}) {
  let dispatcher!: TestDispatcher<string, string>;
  const buffer = new DispatchingBuffer<string, string>({
    dispatcher: (send) => (dispatcher = new TestDispatcher(send)),
    capacity: options.capacity ?? 10,
    ...(options.dropStrategy === undefined ? {} : { dropStrategy: options.dropStrategy }),
    ...(options.subscribeOptions === undefined ? {} : { subscribeOptions: options.subscribeOptions }),
  });
  return { buffer, dispatcher };
}

describe('DispatchingBuffer', () => {
  it('only queues on append, and dispatches on assignEvents', () => {
    const { buffer, dispatcher } = setup();
    expect(buffer.append(['a', 'b', 'c'])).toBe(0);
    buffer.ask('s', 2);
    expect(dispatcher.calls).toEqual(['subscribe s']);
    expect(buffer.stats()).toEqual({ buffered: 3, demand: 2 });
    expect(buffer.assignEvents()).toEqual([['s', ['a', 'b']]]);
    expect(dispatcher.calls).toEqual(['subscribe s', 'ask s 2', 'dispatch 2']);
    expect(buffer.stats()).toEqual({ buffered: 1, demand: 0 });
    expect(buffer.assignEvents()).toEqual([]);
    expect(buffer.size).toBe(1);
  });

  it('keeps leftovers at the head of the queue, in order', () => {
    const { buffer } = setup();
    buffer.append(['a', 'b', 'c', 'd']);
    buffer.ask('s', 1);
    expect(buffer.assignEvents()).toEqual([['s', ['a']]]);
    buffer.append(['e']);
    buffer.ask('s', 10);
    expect(buffer.assignEvents()).toEqual([['s', ['b', 'c', 'd', 'e']]]);
    expect(buffer.stats()).toEqual({ buffered: 0, demand: 6 });
  });

  it('counts drops by capacity and drop strategy', () => {
    const newest = setup({ capacity: 2 });
    expect(newest.buffer.append(['a', 'b', 'c'])).toBe(1);
    expect(newest.buffer.capacity).toBe(2);
    expect(newest.buffer.dropStrategy).toBe('drop-newest');
    const oldest = setup({ capacity: 2, dropStrategy: 'drop-oldest' });
    expect(oldest.buffer.append(['a', 'b', 'c'])).toBe(1);
    oldest.buffer.ask('s', 5);
    expect(oldest.buffer.assignEvents()).toEqual([['s', ['b', 'c']]]);
  });

  it('subscribes a subscriber on its first ask with the subscribe options, once', () => {
    const seen: string[] = [];
    const { buffer, dispatcher } = setup({
      subscribeOptions: (s) => {
        seen.push(s);
        return { partition: s.length };
      },
    });
    buffer.ask('abc', 0);
    expect(buffer.has('abc')).toBe(false);
    expect(dispatcher.calls).toEqual([]);
    buffer.ask('abc', 1);
    buffer.ask('abc', 2);
    expect(seen).toEqual(['abc']);
    expect(dispatcher.options.get('abc')).toEqual({ partition: 3 });
    expect(buffer.has('abc')).toBe(true);
    buffer.assignEvents();
    expect(dispatcher.calls).toEqual(['subscribe abc', 'ask abc 1', 'ask abc 2']);
  });

  it('subscribes without options when subscribeOptions is not given', () => {
    const { buffer, dispatcher } = setup();
    buffer.ask('s', 1);
    expect(dispatcher.options.has('s')).toBe(true);
    expect(dispatcher.options.get('s')).toBeUndefined();
  });

  it('changes nothing when the dispatcher refuses the subscribe options', () => {
    const { buffer } = setup({ subscribeOptions: (s) => ({ reject: s === 'bad' }) });
    expect(() => buffer.ask('bad', 1)).toThrow('rejected options');
    expect(buffer.has('bad')).toBe(false);
    expect(buffer.stats()).toEqual({ buffered: 0, demand: 0 });
    const odd = setup({ subscribeOptions: () => 42 as never });
    expect(() => odd.buffer.ask('s', 1)).toThrow(/subscribeOptions/);
    expect(odd.buffer.has('s')).toBe(false);
  });

  it('rejects bad demands naming the argument', () => {
    const { buffer } = setup();
    expect(() => buffer.ask('s', -1)).toThrow(RangeError);
    expect(() => buffer.ask('s', 0.5)).toThrow(/demand/);
    expect(() => buffer.ask('s', '1' as never)).toThrow(TypeError);
    expect(buffer.has('s')).toBe(false);
  });

  it('merges several sends to one subscriber within a call, in order', () => {
    const { buffer, dispatcher } = setup();
    dispatcher.backlog = ['x', 'y'];
    buffer.append(['a', 'b', 'c']);
    buffer.ask('s', 4);
    buffer.ask('t', 1);
    expect(buffer.assignEvents()).toEqual([
      ['s', ['x', 'y', 'a', 'b']],
      ['t', ['c']],
    ]);
    expect(buffer.stats()).toEqual({ buffered: 0, demand: 0 });
  });

  it('keeps dispatching while the dispatcher takes events', () => {
    const { buffer, dispatcher } = setup();
    dispatcher.perDispatch = 1;
    buffer.append(['a', 'b', 'c', 'd', 'e']);
    buffer.ask('s', 3);
    expect(buffer.assignEvents()).toEqual([['s', ['a', 'b', 'c']]]);
    expect(buffer.size).toBe(2);
  });

  it('hands the dispatcher at most the outstanding demand at a time', () => {
    const { buffer, dispatcher } = setup({ capacity: 100 });
    buffer.append(Array.from({ length: 50 }, (_, i) => `e${i}`));
    buffer.ask('s', 2);
    buffer.assignEvents();
    expect(dispatcher.calls.filter((c) => c.startsWith('dispatch'))).toEqual(['dispatch 2']);
  });

  it('cancels a deleted subscriber and skips its recorded asks', () => {
    const { buffer, dispatcher } = setup();
    buffer.append(['a', 'b']);
    buffer.ask('s', 2);
    buffer.ask('t', 1);
    buffer.delete('s');
    expect(buffer.has('s')).toBe(false);
    expect(buffer.stats()).toEqual({ buffered: 2, demand: 1 });
    expect(buffer.assignEvents()).toEqual([['t', ['a']]]);
    expect(dispatcher.calls).toEqual(['subscribe s', 'subscribe t', 'cancel s', 'ask t 1', 'dispatch 1']);
    buffer.delete('nobody');
    expect(dispatcher.calls).not.toContain('cancel nobody');

    buffer.ask('s', 1);
    expect(buffer.assignEvents()).toEqual([['s', ['b']]]);
    expect(dispatcher.calls.slice(-3)).toEqual(['subscribe s', 'ask s 1', 'dispatch 1']);
  });

  it('puts back events a deleted subscriber was sent but not yet given', () => {
    const { buffer, dispatcher } = setup();
    buffer.append(['c']);
    dispatcher.welcome = ['w1', 'w2'];
    buffer.ask('s', 1);
    expect(buffer.size).toBe(3);
    buffer.delete('s');
    expect(buffer.size).toBe(3);
    buffer.ask('t', 5);
    expect(buffer.assignEvents()).toEqual([['t', ['w1', 'w2', 'c']]]);
  });

  it('puts events back at the head with prepend', () => {
    const { buffer } = setup({ capacity: 3 });
    buffer.append(['c', 'd']);
    expect(buffer.prepend(['a', 'b'])).toBe(1);
    buffer.ask('s', 5);
    expect(buffer.assignEvents()).toEqual([['s', ['a', 'b', 'c']]]);
  });

  it('takes out an event dispatch throws on, reports it as discarded, and keeps the rest flowing', () => {
    const { buffer, dispatcher } = setup();
    const drops: unknown[] = [];
    buffer.watchDrops((events, reason, cause) => drops.push([events, reason, (cause as Error).message]));
    dispatcher.poison.add('b');
    buffer.append(['a', 'b', 'c']);
    buffer.ask('s', 5);
    expect(buffer.assignEvents()).toEqual([['s', ['a', 'c']]]);
    expect(drops).toEqual([[['b'], 'discarded', 'cannot handle b']]);
    expect([buffer.discarded, buffer.size]).toEqual([1, 0]);
    buffer.append(['d']);
    expect(buffer.assignEvents()).toEqual([['s', ['d']]]);
  });

  it('discards every event of a dispatcher that throws on each, instead of wedging', () => {
    const { buffer, dispatcher } = setup();
    buffer.append(['a', 'b']);
    buffer.ask('s', 2);
    dispatcher.failDispatch = true;
    expect(buffer.assignEvents()).toEqual([]);
    expect([buffer.discarded, buffer.size, buffer.stats().demand]).toEqual([2, 0, 2]);
    dispatcher.failDispatch = false;
    buffer.append(['c']);
    expect(buffer.assignEvents()).toEqual([['s', ['c']]]);
  });

  it('counts and reports what the dispatcher discards through discard', () => {
    const drops: unknown[] = [];
    const buffer = new DispatchingBuffer<number, string>({
      dispatcher: (send, discard) => ({
        subscribe: () => 0,
        cancel: () => 0,
        ask: () => 0,
        dispatch(events) {
          const kept = events.filter((n) => n >= 0);
          discard(events.filter((n) => n < 0));
          if (kept.length > 0) send('s', kept);
          return [];
        },
      }),
      capacity: 10,
    });
    buffer.append([1, -2, 3]);
    buffer.ask('s', 3);
    expect(buffer.assignEvents()).toEqual([['s', [1, 3]]]);
    expect(buffer.discarded).toBe(1);
    buffer.watchDrops((events, reason) => drops.push([events, reason]));
    buffer.append([-4, -5]);
    buffer.ask('s', 2);
    buffer.assignEvents();
    expect(drops).toEqual([[[-4, -5], 'discarded']]);
    expect(buffer.discarded).toBe(3);
  });

  it('reports what its drop strategy drops, only while watched', () => {
    const buffer = new DispatchingBuffer<string, string>({ dispatcher: (send) => new TestDispatcher(send), capacity: 2, dropStrategy: 'drop-oldest' });
    const drops: unknown[] = [];
    buffer.append(['a', 'b', 'c']);
    buffer.watchDrops((events, reason) => drops.push([events, reason]));
    buffer.append(['d']);
    expect(buffer.prepend(['x'])).toBe(1);
    buffer.watchDrops(undefined);
    buffer.append(['e']);
    expect(drops).toEqual([[['b'], 'drop-oldest'], [['x'], 'drop-oldest']]);
  });

  it('rejects a dispatch that returns no array, and demand past Number.MAX_SAFE_INTEGER', () => {
    const { buffer, dispatcher } = setup();
    dispatcher.dispatch = () => 'nope' as never;
    buffer.append(['a']);
    buffer.ask('s', 1);
    expect(() => buffer.assignEvents()).toThrow(/dispatch must return an array/);
    expect(() => buffer.ask('t', Number.MAX_SAFE_INTEGER)).toThrow(/demand .* would take the total demand past/);
  });

  it('says it cannot redeliver over a broadcasting dispatcher', () => {
    const { buffer } = setup();
    expect(buffer.supportsRedelivery).toBe(true);
    const broadcast = new DispatchingBuffer<string, string>({
      dispatcher: (send) => Object.assign(new TestDispatcher(send), { broadcasts: true }),
      capacity: 2,
    });
    expect(broadcast.supportsRedelivery).toBe(false);
  });

  it('counts the events the dispatcher holds back as buffered', () => {
    const { buffer, dispatcher } = setup();
    dispatcher.held = ['h1', 'h2'];
    buffer.append(['a']);
    expect(buffer.size).toBe(3);
    expect(buffer.stats()).toEqual({ buffered: 3, demand: 0 });
  });

  it('refuses unknown option keys, listing the known ones', () => {
    expect(() => new DispatchingBuffer({ dispatcher: (send: Send<string, string>) => new TestDispatcher(send), capacity: 1, subscribeOption: () => ({}) } as never)).toThrow(
      /unknown key "subscribeOption"; known keys: dispatcher, capacity, dropStrategy, subscribeOptions/,
    );
  });

  it('validates its options', () => {
    const ok = (send: Send<string, string>) => new TestDispatcher(send);
    expect(() => new DispatchingBuffer(null as never)).toThrow(TypeError);
    expect(() => new DispatchingBuffer({ capacity: 1 } as never)).toThrow(/options\.dispatcher/);
    expect(() => new DispatchingBuffer({ dispatcher: () => null as never, capacity: 1 })).toThrow(/Dispatcher/);
    expect(() => new DispatchingBuffer({ dispatcher: () => ({}) as never, capacity: 1 })).toThrow(/subscribe/);
    expect(
      () => new DispatchingBuffer({ dispatcher: () => ({ subscribe: () => 0, cancel: () => 0, ask: () => 0 }) as never, capacity: 1 }),
    ).toThrow(/dispatch/);
    expect(() => new DispatchingBuffer({ dispatcher: ok, capacity: 0 })).toThrow(RangeError);
    expect(() => new DispatchingBuffer({ dispatcher: ok, capacity: 1, dropStrategy: 'drop-all' as never })).toThrow(
      RangeError,
    );
    expect(() => new DispatchingBuffer({ dispatcher: ok, capacity: 1, subscribeOptions: 'x' as never })).toThrow(
      /options\.subscribeOptions/,
    );
  });
});
