import { EventBuffer, type Subscriber } from '@dispenser/core';
import { TestSubscriber, createFakeEvents, fillInOrder, type FakeEvent } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import { BufferServer } from './buffer-server';
import { createEvenBuffer, ids, range } from './test/fake-events';

function createServer(capacity = 100) {
  return new BufferServer<FakeEvent>({ buffer: createEvenBuffer({ capacity }) });
}

describe('Subscription', () => {
  it('asks for maxDemand at start', () => {
    const server = createServer();
    server.subscribe({ maxDemand: 10 });
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 10 });
  });

  it('asks for 1000 by default', () => {
    const server = createServer();
    server.subscribe();
    expect(server.stats().demand).toBe(1000);
  });

  it('yields the batches it is handed, in order', async () => {
    const server = createServer();
    const subscription = server.subscribe({ maxDemand: 10 });
    server.append(range(0, 3));
    server.append(range(3, 5));
    const batches: number[][] = [];
    for await (const batch of subscription) {
      batches.push(ids(batch));
      if (batches.length === 2) break;
    }
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('waits for events when it holds none', async () => {
    const server = createServer();
    const iterator = server.subscribe({ maxDemand: 4 })[Symbol.asyncIterator]();
    const next = iterator.next();
    server.append(range(0, 2));
    await expect(next).resolves.toEqual({ done: false, value: range(0, 2) });
  });

  it('asks again up to maxDemand once outstanding demand falls to minDemand', async () => {
    const server = createServer();
    const iterator = server.subscribe({ maxDemand: 10, minDemand: 7 })[Symbol.asyncIterator]();
    server.append(range(0, 2));
    expect(server.stats().demand).toBe(8);
    await iterator.next();
    expect(server.stats().demand).toBe(8);
    server.append(range(2, 3));
    expect(server.stats().demand).toBe(7);
    await iterator.next();
    expect(server.stats().demand).toBe(10);
  });

  it('holds at most maxDemand undelivered events for a slow consumer', async () => {
    const server = createServer();
    const iterator = server.subscribe({ maxDemand: 5, minDemand: 0 })[Symbol.asyncIterator]();
    server.append(range(0, 20));
    expect(server.stats()).toEqual({ buffered: 15, subscribed: 1, demand: 0 });
    expect(ids((await iterator.next()).value ?? [])).toEqual([0, 1, 2, 3, 4]);
    expect(server.stats()).toEqual({ buffered: 10, subscribed: 1, demand: 0 });
    expect(ids((await iterator.next()).value ?? [])).toEqual([5, 6, 7, 8, 9]);
  });

  it('defaults minDemand to 75% of maxDemand', async () => {
    const server = createServer();
    const iterator = server.subscribe({ maxDemand: 8 })[Symbol.asyncIterator]();
    server.append(range(0, 1));
    await iterator.next();
    expect(server.stats().demand).toBe(7);
    server.append(range(1, 2));
    await iterator.next();
    expect(server.stats().demand).toBe(8);
  });

  it('unsubscribes on break and gives the events it held back to the others, in order', async () => {
    const server = createServer();
    const subscription = server.subscribe({ maxDemand: 10 });
    server.append(range(0, 2));
    server.append(range(2, 4));
    server.append(range(4, 6));
    for await (const batch of subscription) {
      expect(ids(batch)).toEqual([0, 1]);
      break;
    }
    expect(server.stats()).toEqual({ buffered: 4, subscribed: 0, demand: 0 });
    expect(server.metrics()).toEqual({ appended: 6, dropped: 0, delivered: 2, failed: 0 });
    const other = new TestSubscriber<FakeEvent>();
    server.ask(other, 10);
    expect(ids(other.events)).toEqual([2, 3, 4, 5]);
    expect(subscription.unsubscribe()).toBe(false);
  });

  it('rejects the waiting step with the reason and unsubscribes when the signal aborts', async () => {
    const server = createServer();
    const controller = new AbortController();
    const iterator = server.subscribe({ maxDemand: 3, signal: controller.signal })[Symbol.asyncIterator]();
    const next = iterator.next();
    const reason = new Error('consumer gone');
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('gives held events back and rejects the next step when aborted while holding events', async () => {
    const server = createServer();
    const controller = new AbortController();
    const iterator = server.subscribe({ maxDemand: 3, signal: controller.signal })[Symbol.asyncIterator]();
    server.append(range(0, 3));
    controller.abort('stop');
    await expect(iterator.next()).rejects.toBe('stop');
    expect(server.stats()).toEqual({ buffered: 3, subscribed: 0, demand: 0 });
    expect(server.metrics().delivered).toBe(0);
  });

  it('never subscribes with an already aborted signal', async () => {
    const server = createServer();
    const subscription = server.subscribe({ signal: AbortSignal.abort('early') });
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    await expect(subscription[Symbol.asyncIterator]().next()).rejects.toBe('early');
    expect(subscription.unsubscribe()).toBe(false);
  });

  it('finishes the batches it holds after unsubscribe, then ends', async () => {
    const server = createServer();
    const subscription = server.subscribe({ maxDemand: 10 });
    server.append(range(0, 2));
    server.append(range(2, 3));
    expect(subscription.unsubscribe()).toBe(true);
    expect(subscription.unsubscribe()).toBe(false);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    server.append(range(3, 4));
    const seen: number[][] = [];
    for await (const batch of subscription) seen.push(ids(batch));
    expect(seen).toEqual([[0, 1], [2]]);
    expect(server.stats().buffered).toBe(1);
  });

  it('ends a waiting loop when the server closes', async () => {
    const server = createServer();
    const subscription = server.subscribe({ maxDemand: 10 });
    server.append(range(0, 2));
    const seen: number[][] = [];
    const loop = (async () => {
      for await (const batch of subscription) seen.push(ids(batch));
    })();
    await Promise.resolve();
    await server.close();
    await loop;
    expect(seen).toEqual([[0, 1]]);
  });

  it('adds demand with ask and ignores it once stopped', () => {
    const server = createServer();
    const subscription = server.subscribe({ maxDemand: 2 });
    subscription.ask(3);
    expect(server.stats().demand).toBe(5);
    expect(() => subscription.ask(-1)).toThrow(RangeError);
    subscription.unsubscribe();
    subscription.ask(4);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
  });

  it('is unsubscribed through the server like any subscriber', async () => {
    const server = createServer();
    const subscription = server.subscribe({ maxDemand: 2 });
    expect(server.unsubscribe(subscription as unknown as Subscriber<FakeEvent>)).toBe(true);
    await expect(subscription[Symbol.asyncIterator]().next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('gives back events that reach it after its loop ended', async () => {
    const server = createServer();
    const events = createFakeEvents(6);
    const loop: { iterator?: AsyncIterator<FakeEvent[]> } = {};
    // The ender is served first and ends the subscription's loop before the subscription's own batch arrives.
    const ender: Subscriber<FakeEvent> & { events: FakeEvent[] } = {
      events: [],
      handleAssignedEvents(batch) {
        this.events.push(...batch);
        void loop.iterator?.return?.();
      },
    };
    server.ask(ender, 3);
    loop.iterator = server.subscribe({ maxDemand: 3 })[Symbol.asyncIterator]();
    server.append(events);
    const collector = new TestSubscriber<FakeEvent>();
    server.ask(collector, 10);
    const seen = [...ender.events, ...collector.events].map((event) => event.id).sort((a, b) => a - b);
    expect(seen).toEqual(ids(events));
    expect(server.metrics()).toEqual({ appended: 6, dropped: 0, delivered: 6, failed: 0 });
  });

  it('rejects bad options', () => {
    const server = createServer();
    expect(() => server.subscribe({ maxDemand: 0 })).toThrow(RangeError);
    expect(() => server.subscribe({ maxDemand: 5, minDemand: 6 })).toThrow(RangeError);
    expect(() => server.subscribe({ minDemand: -1 })).toThrow(RangeError);
    expect(() => server.subscribe({ signal: {} as never })).toThrow(TypeError);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
  });
});

/** Whether `promise` settles within a few turns of the event loop (no timers involved). */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** A push subscriber that asks for "everything", so nobody else can ask for more. */
function hog(server: BufferServer<FakeEvent>, leave: number) {
  const received: FakeEvent[] = [];
  const subscriber = { handleAssignedEvents: (events: FakeEvent[]) => void received.push(...events) };
  server.ask(subscriber, Number.MAX_SAFE_INTEGER - server.stats().demand - leave);
  return { subscriber, received };
}

describe('Subscription when the server refuses more demand (total near Number.MAX_SAFE_INTEGER)', () => {
  function createInOrderServer() {
    return new BufferServer<FakeEvent>({ buffer: new EventBuffer({ strategy: fillInOrder, capacity: 100 }) });
  }

  it('keeps its counters when ask(n) is refused, so its automatic top-up still works', async () => {
    const server = createInOrderServer();
    const subscription = server.subscribe({ maxDemand: 2, minDemand: 0 });
    hog(server, 0);
    expect(() => subscription.ask(1)).toThrow(/^n 1 \(number\) would take the total demand past Number.MAX_SAFE_INTEGER/);
    const iterator = subscription[Symbol.asyncIterator]();
    server.append(range(0, 2));
    expect(ids((await iterator.next()).value as FakeEvent[])).toEqual([0, 1]);
    // It took both events it had asked for, so it asked for 2 again (a refused ask must not count).
    expect(server.stats().demand).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('returns the batch it took when the top-up in next() is refused, then reports the refusal instead of waiting forever', async () => {
    const server = createInOrderServer();
    const subscription = server.subscribe({ maxDemand: 10, minDemand: 5 });
    server.append(range(0, 5));
    server.append(range(5, 10));
    hog(server, 0);
    const iterator = subscription[Symbol.asyncIterator]();
    expect(ids((await iterator.next()).value as FakeEvent[])).toEqual([0, 1, 2, 3, 4]);
    expect(ids((await iterator.next()).value as FakeEvent[])).toEqual([5, 6, 7, 8, 9]);
    await expect(iterator.next()).rejects.toThrow('the subscription could not ask for 10 more events');
    expect(server.metrics()).toEqual({ appended: 10, dropped: 0, delivered: 10, failed: 0 });
    expect(server.stats().subscribed).toBe(1); // only the hog
  });

  it('resolves a waiting next() with the events pushed to it when the top-up is refused', async () => {
    const server = createInOrderServer();
    const subscription = server.subscribe({ maxDemand: 2, minDemand: 1 });
    const iterator = subscription[Symbol.asyncIterator]();
    const next = iterator.next();
    hog(server, 0);
    server.append(range(0, 1));
    expect(await settlesSoon(next)).toBe(true);
    expect(ids((await next).value as FakeEvent[])).toEqual([0]);
    expect(server.metrics()).toEqual({ appended: 1, dropped: 0, delivered: 1, failed: 0 });
  });
});

describe('subscribe() that throws', () => {
  it('leaves no listener on the signal and no subscription in the server, and names options.maxDemand', () => {
    const server = createServer();
    const { subscriber } = hog(server, 3);
    const listeners = new Set<unknown>();
    const signal = {
      aborted: false,
      reason: undefined,
      addEventListener: (_type: string, listener: unknown) => listeners.add(listener),
      removeEventListener: (_type: string, listener: unknown) => listeners.delete(listener),
    } as unknown as AbortSignal;
    expect(() => server.subscribe({ maxDemand: 5, signal })).toThrow(
      /^options\.maxDemand 5 \(number\) would take the total demand past Number\.MAX_SAFE_INTEGER/,
    );
    expect(listeners.size).toBe(0);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: Number.MAX_SAFE_INTEGER - 3 });
    server.unsubscribe(subscriber);
    expect(server.stats().subscribed).toBe(0);
  });

  it('rejects unknown options, listing the known ones', () => {
    expect(() => createServer().subscribe({ maxdemand: 5 } as never)).toThrow(
      /options has unknown key "maxdemand"; known keys: maxDemand, minDemand, signal/,
    );
  });
});
