// The seed scenarios both push servers pass alike; each server's own scenarios stay in its test file.
import { ManualClock, TestSubscriber, createFakeEvents, type FakeEvent } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import { BatchingBufferServer } from './batching-buffer-server';
import { BufferServer } from './buffer-server';
import { createEvenBuffer, ids, type EvenBufferOptions } from './test/fake-events';

const MAX_DELAY = 100;

/** A server over {@link createEvenBuffer}, and `flush()`, which lets it send what it holds back. */
interface Harness {
  server: BufferServer<FakeEvent> | BatchingBufferServer<FakeEvent>;
  flush(): void;
}

describe.each([
  {
    name: 'BufferServer',
    create: (options?: EvenBufferOptions): Harness => ({
      server: new BufferServer<FakeEvent>({ buffer: createEvenBuffer(options) }),
      flush: () => undefined,
    }),
  },
  {
    name: 'BatchingBufferServer',
    create: (options?: EvenBufferOptions): Harness => {
      const clock = new ManualClock();
      const buffer = createEvenBuffer(options);
      const server = new BatchingBufferServer<FakeEvent>({ buffer, batchSize: 5, maxDelay: MAX_DELAY, clock });
      return { server, flush: () => clock.advance(MAX_DELAY) };
    },
  },
])('$name', ({ create }) => {
  describe('seed scenarios', () => {
    it('accepts events', () => {
      const { server } = create();
      expect(server.append(createFakeEvents(5))).toBe(0);
      expect(server.stats()).toEqual({ buffered: 5, subscribed: 0, demand: 0 });
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 0, failed: 0 });
    });

    it('drops events at capacity, and again on the next append', () => {
      const { server } = create({ capacity: 10 });
      expect(server.append(createFakeEvents(15))).toBe(5);
      expect(server.stats()).toEqual({ buffered: 10, subscribed: 0, demand: 0 });
      expect(server.append(createFakeEvents(3))).toBe(3);
      expect(server.stats()).toEqual({ buffered: 10, subscribed: 0, demand: 0 });
      expect(server.metrics()).toEqual({ appended: 18, dropped: 8, delivered: 0, failed: 0 });
    });

    it('unsubscribes, and answers false the second time', () => {
      const { server } = create();
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 4);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 4 });
      expect(server.unsubscribe(subscriber)).toBe(true);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
      expect(server.unsubscribe(subscriber)).toBe(false);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    });

    it('cancels the demand of unsubscribed subscribers (5 + 7, then 7, then 0)', () => {
      const { server, flush } = create();
      const five = new TestSubscriber<FakeEvent>();
      const seven = new TestSubscriber<FakeEvent>();
      server.ask(five, 5);
      server.ask(seven, 7);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 12 });
      server.unsubscribe(five);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 7 });
      server.unsubscribe(seven);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
      server.append(createFakeEvents(2));
      flush();
      expect(five.batches).toEqual([]);
      expect(seven.batches).toEqual([]);
      expect([...five.events, ...seven.events]).toEqual([]);
    });

    it('sends buffered events to whoever asks first when catching up', () => {
      const { server } = create();
      const events = createFakeEvents(10);
      server.append(events);
      const first = new TestSubscriber<FakeEvent>();
      const second = new TestSubscriber<FakeEvent>();
      server.ask(first, 10);
      server.ask(second, 10);
      expect(first.events).toEqual(events);
      expect(ids(first.events)).toEqual(ids(createFakeEvents(10)));
      expect(second.events).toEqual([]);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 10 });
    });

    it('drops the demand of a subscriber that crashes and keeps the others', () => {
      const { server, flush } = create();
      const three = new TestSubscriber<FakeEvent>();
      const seven = new TestSubscriber<FakeEvent>();
      const thirteen = new TestSubscriber<FakeEvent>();
      server.ask(three, 3);
      server.ask(seven, 7);
      server.ask(thirteen, 13);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 3, demand: 23 });
      seven.crash();
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 16 });
      server.append(createFakeEvents(16));
      flush();
      expect(three.events.length + thirteen.events.length).toBe(16);
      expect(seven.events).toEqual([]);
    });
  });
});
