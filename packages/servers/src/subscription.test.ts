import type { Subscriber } from '@dispenser/core';
import { TestSubscriber, createFakeEvents, type FakeEvent } from '@dispenser/testing-utils';
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
    expect(server.metrics()).toEqual({ appended: 6, dropped: 0, delivered: 2 });
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
    expect(server.metrics()).toEqual({ appended: 6, dropped: 0, delivered: 6 });
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
