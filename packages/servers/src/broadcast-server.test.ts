import { BufferClosedError, type Subscriber } from '@dispenser/core';
import { TestSubscriber } from '@dispenser/testing-utils';
import { describe, expect, it, test, vi } from 'vitest';
import { BroadcastServer } from './broadcast-server';
import { DeliveryError } from './errors';

/** A subscriber that records every event it is handed and asks again for as many. */
function eager(server: BroadcastServer<number>, first = 100) {
  const received: number[] = [];
  const subscriber: Subscriber<number> = {
    handleAssignedEvents(events) {
      received.push(...events);
      server.ask(subscriber, events.length);
    },
  };
  server.ask(subscriber, first);
  return { subscriber, received };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('BroadcastServer', () => {
  it('hands every subscriber every event appended after it subscribed, in order', () => {
    const server = new BroadcastServer<number>({ capacity: 10 });
    const early = eager(server);
    server.append([1, 2]);
    const late = eager(server);
    server.append([3, 4, 5]);
    expect(early.received).toEqual([1, 2, 3, 4, 5]);
    expect(late.received).toEqual([3, 4, 5]);
    expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 8, failed: 0 });
  });

  it('gives a new subscriber the last `replay` events first', () => {
    const server = new BroadcastServer<number>({ capacity: 10, replay: 2 });
    server.append([1, 2, 3]);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    const late = eager(server);
    expect(late.received).toEqual([2, 3]);
    server.append([4]);
    expect(late.received).toEqual([2, 3, 4]);
  });

  it('lets a slow drop-oldest subscriber lose only its own oldest events, and never slows the others', () => {
    const server = new BroadcastServer<number>({ capacity: 3, dropStrategy: 'drop-oldest' });
    const fast = eager(server);
    const slow = new TestSubscriber<number>();
    server.ask(slow, 1);
    expect(server.append(range(0, 10))).toBe(6);
    expect(fast.received).toEqual(range(0, 10));
    expect(slow.events).toEqual([0]);
    expect(server.subscriberStats(slow)).toEqual({ lag: 3, dropped: 6, delivered: 1, demand: 0 });
    expect(server.subscriberStats(fast.subscriber)).toEqual({ lag: 0, dropped: 0, delivered: 10, demand: 100 });
    server.ask(slow, 10);
    expect(slow.events).toEqual([0, 7, 8, 9]);
  });

  it('lets a stalled drop-newest subscriber keep its oldest events and take new ones once it has room', () => {
    const server = new BroadcastServer<number>({ capacity: 2 });
    const fast = eager(server);
    const stalled = new TestSubscriber<number>();
    server.ask(stalled, 1);
    server.append(range(0, 5)); // it gets 0, keeps 1 and 2, loses 3 and 4
    expect(server.subscriberStats(stalled)).toEqual({ lag: 2, dropped: 2, delivered: 1, demand: 0 });
    server.ask(stalled, 1); // takes 1: room for one more
    server.append([5, 6]); // keeps 5, loses 6
    server.ask(stalled, 10);
    expect(stalled.events).toEqual([0, 1, 2, 5]);
    server.append([7]);
    expect(stalled.events).toEqual([0, 1, 2, 5, 7]);
    expect(fast.received).toEqual(range(0, 8));
    expect(server.subscriberStats(stalled)).toEqual({ lag: 0, dropped: 3, delivered: 5, demand: 7 });
  });

  it('serves demand before it applies the bound, within one append', () => {
    const server = new BroadcastServer<number>({ capacity: 2, dropStrategy: 'drop-oldest' });
    const reader = new TestSubscriber<number>();
    server.ask(reader, 5);
    expect(server.append(range(0, 10))).toBe(3);
    expect(reader.events).toEqual([0, 1, 2, 3, 4]);
    expect(server.subscriberStats(reader)).toEqual({ lag: 2, dropped: 3, delivered: 5, demand: 0 });
  });

  it('takes each subscriber’s own bound, chosen when it first asks', () => {
    const server = new BroadcastServer<number>({ capacity: 10 });
    const tight = new TestSubscriber<number>();
    server.ask(tight, 1, { capacity: 1, dropStrategy: 'drop-oldest' });
    server.append(range(0, 5));
    expect(server.subscriberStats(tight)).toEqual({ lag: 1, dropped: 3, delivered: 1, demand: 0 });
    server.ask(tight, 1, { capacity: 1, dropStrategy: 'drop-oldest' });
    server.ask(tight, 1);
    expect(() => server.ask(tight, 1, { capacity: 2 })).toThrow(/bound of an existing subscriber cannot change: it has capacity 1/);
  });

  it('counts in stats().buffered the distinct events someone still waits for, not those kept only for replay', () => {
    const server = new BroadcastServer<number>({ capacity: 5, replay: 3 });
    const a = new TestSubscriber<number>();
    const b = new TestSubscriber<number>();
    server.ask(a, 1);
    server.ask(b, 3);
    server.append(range(0, 4));
    expect(server.stats()).toEqual({ buffered: 3, subscribed: 2, demand: 0 });
    server.ask(a, 10);
    expect(server.stats()).toEqual({ buffered: 1, subscribed: 2, demand: 7 });
    expect(server.subscriberStats({ handleAssignedEvents: () => undefined })).toBeUndefined();
  });

  it('counts what was held for a subscriber as dropped for it when it leaves', () => {
    const server = new BroadcastServer<number>({ capacity: 5 });
    const reader = new TestSubscriber<number>();
    server.ask(reader, 1);
    server.append(range(0, 4));
    expect(server.unsubscribe(reader)).toBe(true);
    expect(server.unsubscribe(reader)).toBe(false);
    expect(server.metrics()).toEqual({ appended: 4, dropped: 3, delivered: 1, failed: 0 });
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
  });

  it('drops a subscriber whose signal aborts', () => {
    const server = new BroadcastServer<number>({ capacity: 5 });
    const reader = new TestSubscriber<number>();
    server.ask(reader, 1);
    server.append(range(0, 3));
    reader.crash(new Error('gone'));
    expect(server.stats().subscribed).toBe(0);
    expect(server.metrics().dropped).toBe(2);
  });

  it('reports a failing subscriber (on console.error by default), drops it and keeps serving the others', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const server = new BroadcastServer<number>({ capacity: 5 });
    const healthy = eager(server);
    const failing = new TestSubscriber<number>({ failOn: () => 'throw' });
    const rejecting = new TestSubscriber<number>({ failOn: () => 'reject' });
    server.ask(failing, 2);
    server.ask(rejecting, 2);
    server.append([1, 2, 3]);
    await Promise.resolve();
    await Promise.resolve();
    expect(healthy.received).toEqual([1, 2, 3]);
    expect(logged.mock.calls.map(([error]) => error instanceof DeliveryError && error.events)).toEqual([[1, 2], [1, 2]]);
    expect(server.stats().subscribed).toBe(1);
    expect(server.metrics()).toEqual({ appended: 3, dropped: 2, delivered: 3, failed: 4 });
    const errors: unknown[] = [];
    const reported = new BroadcastServer<number>({ capacity: 5, onError: (error) => errors.push(error) });
    reported.ask(new TestSubscriber<number>({ failOn: () => 'throw' }), 1);
    reported.append([1]);
    expect(errors).toHaveLength(1);
  });

  describe('subscribe()', () => {
    it('gives a for await loop every event, with its own bound, and counts what it gives back on break as dropped', async () => {
      const server = new BroadcastServer<number>({ capacity: 100 });
      const subscription = server.subscribe({ maxDemand: 2, minDemand: 0, capacity: 1, dropStrategy: 'drop-oldest' });
      server.append([1, 2, 3, 4]);
      const seen: number[][] = [];
      for await (const batch of subscription) {
        seen.push(batch);
        break;
      }
      expect(seen).toEqual([[1, 2]]);
      expect(server.metrics()).toEqual({ appended: 4, dropped: 2, delivered: 2, failed: 0 });
      expect(server.stats().subscribed).toBe(0);
    });

    it('refuses unknown or bad options, leaving nothing behind', () => {
      const server = new BroadcastServer<number>({ capacity: 5 });
      expect(() => server.subscribe({ capacity: 0 })).toThrow(/options\.capacity must be a safe integer >= 1/);
      expect(() => server.subscribe({ dropstrategy: 'drop-oldest' } as never)).toThrow(/unknown key "dropstrategy"/);
      expect(server.stats().subscribed).toBe(0);
    });
  });

  describe('close()', () => {
    it('lets everyone go, refuses later calls and returns one promise', async () => {
      const server = new BroadcastServer<number>({ capacity: 5 });
      const reader = new TestSubscriber<number>();
      server.ask(reader, 1);
      server.append([1, 2]);
      const closing = server.close();
      expect(server.close()).toBe(closing);
      await closing;
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
      expect(() => server.append([3])).toThrow(BufferClosedError);
      expect(() => server.ask(reader, 1)).toThrow(BufferClosedError);
      expect(() => server.subscribe()).toThrow(BufferClosedError);
      expect(server.metrics()).toEqual({ appended: 2, dropped: 1, delivered: 1, failed: 0 });
    });

    it('waits for handler promises, and stops waiting when its signal aborts', async () => {
      const server = new BroadcastServer<number>({ capacity: 5 });
      server.ask({ handleAssignedEvents: () => new Promise<void>(() => undefined) }, 2);
      server.append([1, 2]);
      const controller = new AbortController();
      const closing = server.close({ signal: controller.signal });
      controller.abort(new Error('enough'));
      await expect(closing).rejects.toThrow('enough');
      expect(server.metrics()).toEqual({ appended: 2, dropped: 0, delivered: 0, failed: 2 });
    });
  });

  it('resolves onIdle once nothing is held for anyone and no handler promise is pending', async () => {
    const server = new BroadcastServer<number>({ capacity: 5 });
    await server.onIdle();
    const reader = new TestSubscriber<number>();
    server.ask(reader, 1);
    server.append([1, 2]);
    let idle = false;
    const waiting = server.onIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    server.ask(reader, 1);
    await waiting;
    expect(idle).toBe(true);
    await expect(server.onIdle({ signal: AbortSignal.abort('no') })).rejects.toBe('no');
  });

  it('holds one shared ring, not a copy per subscriber: memory stays O(capacity + subscribers)', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error('run with --expose-gc (the vitest preset sets it)');
    const server = new BroadcastServer<number>({ capacity: 1_000, dropStrategy: 'drop-oldest' });
    const stalled = Array.from({ length: 1_000 }, () => ({ handleAssignedEvents: () => undefined }));
    for (const subscriber of stalled) server.ask(subscriber, 1);
    const batch = range(0, 100);
    server.append(batch);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100; i++) server.append(batch);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // 1,000 subscribers × 1,000 events each would be 8 MB of slots; one ring of 1,000 is 8 kB.
    expect(grown).toBeLessThan(1024 * 1024);
    expect(server.subscriberStats(stalled[0] as Subscriber<number>)).toEqual({ lag: 1_000, dropped: 9_099, delivered: 1, demand: 0 });
  });

  describe('bad input', () => {
    test.each([
      [{ capacity: 0 }, /options\.capacity must be a safe integer >= 1/],
      [{ capacity: 1, replay: -1 }, /options\.replay must be a safe integer >= 0/],
      [{ capacity: 1, dropStrategy: 'oldest' }, /options\.dropStrategy must be 'drop-newest' or 'drop-oldest'/],
      [{ capacity: 1, onerror: () => undefined }, /unknown key "onerror"; known keys: capacity, dropStrategy, replay, monitor, onError, clock/],
      [{ capacity: 1, clock: {} }, /options\.clock must be a Clock/],
    ])('refuses options %j', (options, message) => {
      expect(() => new BroadcastServer(options as never)).toThrow(message);
    });

    it('refuses a batch that is not an array, a bad subscriber, amount or bound, and demand past Number.MAX_SAFE_INTEGER', () => {
      const server = new BroadcastServer<string>({ capacity: 2 });
      const reader = new TestSubscriber<string>();
      expect(() => server.append('ab' as never)).toThrow(/events must be an array/);
      expect(() => server.ask({} as never, 1)).toThrow(/subscriber must be an object with a handleAssignedEvents method/);
      expect(() => server.ask(reader, -1)).toThrow(/amount must be a safe integer >= 0/);
      expect(() => server.ask(reader, 1, { capacity: 0 })).toThrow(/bound\.capacity must be a safe integer >= 1/);
      expect(() => server.ask(reader, 1, { size: 1 } as never)).toThrow(/bound has unknown key "size"/);
      server.ask(reader, Number.MAX_SAFE_INTEGER);
      expect(() => server.ask(new TestSubscriber<string>(), 1)).toThrow(/^amount 1 \(number\) would take the total demand past/);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: Number.MAX_SAFE_INTEGER });
    });
  });
});
