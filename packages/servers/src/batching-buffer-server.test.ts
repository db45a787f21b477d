import type { Subscriber } from '@dispenser/core';
import { ManualClock, TestSubscriber, createFakeEvents, type FakeEvent } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import { BatchingBufferServer, type BatchingOptions } from './batching-buffer-server';
import type { ServerOptions } from './server-types';
import { DeliveryError } from './errors';
import { createEvenBuffer, ids, range, type EvenBufferOptions } from './test/fake-events';

type Options = ServerOptions<FakeEvent> & Partial<BatchingOptions> & EvenBufferOptions;

const MAX_DELAY = 100;

function createServer(options: Options = {}) {
  const { capacity, dropStrategy, batchSize = 5, maxDelay = MAX_DELAY, ...rest } = options;
  const clock = new ManualClock();
  const buffer = createEvenBuffer({ capacity, dropStrategy });
  const server = new BatchingBufferServer<FakeEvent>({ buffer, batchSize, maxDelay, clock, ...rest });
  return { server, clock };
}

describe('BatchingBufferServer', () => {
  // The seed scenarios both servers share are in seed-scenarios.test.ts.
  describe('seed scenarios', () => {
    it('handles a subscriber asking for 0 without subscribing it or arming a timer', () => {
      const { server, clock } = createServer();
      server.ask(new TestSubscriber<FakeEvent>(), 0);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
      expect(clock.pending).toBe(0);
    });

    it('sends new events at once to satisfy demand when a batch is full', () => {
      const { server } = createServer({ batchSize: 5 });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      server.append(createFakeEvents(5));
      expect(subscriber.batches).toEqual([createFakeEvents(5)]);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 5 });
    });

    it('spreads new events evenly over existing demand', () => {
      const { server } = createServer({ batchSize: 10 });
      const one = new TestSubscriber<FakeEvent>();
      const two = new TestSubscriber<FakeEvent>();
      server.ask(one, 10);
      server.ask(two, 10);
      server.append(createFakeEvents(10));
      expect(one.events).toHaveLength(5);
      expect(two.events).toHaveLength(5);
      expect([...ids(one.events), ...ids(two.events)].sort((a, b) => a - b)).toEqual(ids(createFakeEvents(10)));
    });
  });

  describe('batching', () => {
    it('sends nothing below batch size until the delay has passed since events first waited', () => {
      const { server, clock } = createServer({ batchSize: 5 });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      expect(clock.pending).toBe(0); // nothing waits, so no timer
      clock.advance(MAX_DELAY / 2);
      server.append(createFakeEvents(2));
      clock.advance(MAX_DELAY - 1);
      expect(subscriber.batches).toEqual([]);
      clock.advance(1);
      expect(subscriber.batches).toEqual([createFakeEvents(2)]);
    });

    it('measures the delay from the first append that found fewer than batchSize', () => {
      const { server, clock } = createServer({ batchSize: 5 });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.append(range(0, 1));
      clock.advance(MAX_DELAY - 10);
      server.append(range(1, 2));
      server.ask(subscriber, 10);
      expect(subscriber.batches).toEqual([]);
      clock.advance(10);
      expect(ids(subscriber.events)).toEqual([0, 1]);
    });

    it('sends at once when an append reaches batch size', () => {
      const { server, clock } = createServer({ batchSize: 5 });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      server.append(range(0, 2));
      expect(subscriber.batches).toEqual([]);
      server.append(range(2, 5));
      expect(subscriber.batches.map(ids)).toEqual([[0, 1, 2, 3, 4]]);
      expect(clock.now()).toBe(0);
    });

    it('sends at once when an ask finds a full batch', () => {
      const { server } = createServer({ batchSize: 3 });
      server.append(createFakeEvents(3));
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 2);
      expect(subscriber.batches.map(ids)).toEqual([[0, 1]]);
    });

    it('does not re-arm the timer until the next append or ask', () => {
      const { server, clock } = createServer({ batchSize: 5 });
      server.append(createFakeEvents(2));
      expect(clock.pending).toBe(1);
      clock.advance(MAX_DELAY);
      expect(clock.pending).toBe(0);
      expect(server.stats()).toEqual({ buffered: 2, subscribed: 0, demand: 0 });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      expect(clock.pending).toBe(1);
      expect(subscriber.batches).toEqual([]);
      clock.advance(MAX_DELAY);
      expect(subscriber.batches).toEqual([createFakeEvents(2)]);
      expect(clock.pending).toBe(0);
    });

    it('keeps one timer however many small appends arrive', () => {
      const { server, clock } = createServer({ batchSize: 50 });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 100);
      for (let i = 0; i < 10; i++) server.append(range(i, i + 1));
      expect(clock.pending).toBe(1);
      clock.advance(MAX_DELAY);
      expect(subscriber.batches.map(ids)).toEqual([range(0, 10).map((event) => event.id)]);
    });

    it('arms a new timer when a handler asks again during a timer flush', () => {
      const { server, clock } = createServer({ batchSize: 5 });
      const received: number[][] = [];
      const asker: Subscriber<FakeEvent> = {
        handleAssignedEvents(events) {
          received.push(ids(events));
          server.ask(asker, events.length);
        },
      };
      server.ask(asker, 2);
      server.append(createFakeEvents(3));
      clock.advance(MAX_DELAY);
      expect(received).toEqual([[0, 1]]);
      expect(clock.pending).toBe(1);
      clock.advance(MAX_DELAY);
      expect(received).toEqual([[0, 1], [2]]);
    });

    it('redelivers a failed batch through the same batching rules', () => {
      const errors: unknown[] = [];
      const { server, clock } = createServer({ batchSize: 4, redeliver: true, onError: (error) => errors.push(error) });
      const failing = new TestSubscriber<FakeEvent>({ failOn: () => true });
      const healthy = new TestSubscriber<FakeEvent>();
      server.ask(failing, 2);
      server.ask(healthy, 10);
      server.append(createFakeEvents(4));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(DeliveryError);
      expect(healthy.events).toHaveLength(2);
      clock.advance(MAX_DELAY);
      expect(ids(healthy.events).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    });

    it('feeds a subscription in batches', async () => {
      const { server, clock } = createServer({ batchSize: 3 });
      const iterator = server.subscribe({ maxDemand: 10 })[Symbol.asyncIterator]();
      server.append(range(0, 2));
      clock.advance(MAX_DELAY);
      server.append(range(2, 5));
      expect(ids((await iterator.next()).value ?? [])).toEqual([0, 1]);
      expect(ids((await iterator.next()).value ?? [])).toEqual([2, 3, 4]);
    });

    it('rejects bad options', () => {
      expect(() => createServer({ batchSize: 0 })).toThrow(RangeError);
      expect(() => createServer({ maxDelay: -1 })).toThrow(RangeError);
      expect(() => createServer({ maxDelay: Number.NaN })).toThrow(RangeError);
      expect(() => createServer({ maxDelay: '5' as never })).toThrow(TypeError);
      expect(() => createServer({ clock: {} as never })).toThrow(TypeError);
    });
  });

  describe('close', () => {
    it('sends what the current demand can take without waiting, and cancels the timer', async () => {
      const { server, clock } = createServer({ batchSize: 5 });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      server.append(createFakeEvents(2));
      expect(clock.pending).toBe(1);
      await server.close();
      expect(subscriber.events).toEqual(createFakeEvents(2));
      expect(clock.pending).toBe(0);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    });

    it('rejects waiting writes', async () => {
      const { server } = createServer({ capacity: 2 });
      const waiting = server.write(createFakeEvents(3));
      await server[Symbol.asyncDispose]();
      await expect(waiting).rejects.toMatchObject({ code: 'BUFFER_CLOSED' });
    });
  });

  describe('write', () => {
    it('waits for room and hands accepted events out by the batching rules', async () => {
      const { server, clock } = createServer({ capacity: 3, batchSize: 3 });
      const done = server.write(createFakeEvents(5));
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 5);
      expect(ids(subscriber.events)).toEqual([0, 1, 2]);
      expect(server.stats()).toEqual({ buffered: 2, subscribed: 1, demand: 2 });
      await done;
      clock.advance(MAX_DELAY);
      expect(ids(subscriber.events)).toEqual([0, 1, 2, 3, 4]);
    });
  });
});
