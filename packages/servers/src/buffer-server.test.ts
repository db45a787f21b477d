import { BufferClosedError, EventBuffer, type DemandBuffer, type Subscriber } from '@dispenser/core';
import { createEven, even } from '@dispenser/strategies';
import { TestSubscriber, createFakeEvents, type FakeEvent } from '@dispenser/testing-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferServer } from './buffer-server';
import type { BufferServerOptions } from './server-types';
import { DeliveryError } from './errors';
import { createEvenBuffer, ids, type EvenBufferOptions } from './test/fake-events';

type Options = Omit<BufferServerOptions<FakeEvent>, 'buffer'> & EvenBufferOptions;

function createServer(options: Options = {}) {
  const { capacity, dropStrategy, ...rest } = options;
  return new BufferServer<FakeEvent>({ buffer: createEvenBuffer({ capacity, dropStrategy }), ...rest });
}

/** Collects what the server hands to `onError`. */
function errorLog() {
  const errors: Array<{ error: DeliveryError<FakeEvent>; subscriber: Subscriber<FakeEvent> }> = [];
  const onError = (error: unknown, subscriber: Subscriber<FakeEvent>): void => {
    expect(error).toBeInstanceOf(DeliveryError);
    errors.push({ error: error as DeliveryError<FakeEvent>, subscriber });
  };
  return { errors, onError };
}

/** A subscriber whose handler runs `script` (for re-entrancy tests), recording what it got. */
function scripted(script: (events: FakeEvent[]) => void) {
  const received: FakeEvent[][] = [];
  const subscriber: Subscriber<FakeEvent> = {
    handleAssignedEvents(events) {
      received.push(events.slice());
      script(events);
    },
  };
  return { subscriber, received };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('BufferServer', () => {
  // The seed scenarios both servers share are in seed-scenarios.test.ts.
  describe('seed scenarios', () => {
    it('drops the oldest events at capacity with drop-oldest', () => {
      const server = createServer({ capacity: 3, dropStrategy: 'drop-oldest' });
      const events = createFakeEvents(5);
      expect(server.append(events)).toBe(2);
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      expect(ids(subscriber.events)).toEqual([2, 3, 4]);
    });

    it('handles a subscriber asking for 0 without subscribing it', () => {
      const server = createServer();
      const subscriber = new TestSubscriber<FakeEvent>();
      server.append(createFakeEvents(3));
      server.ask(subscriber, 0);
      expect(server.stats()).toEqual({ buffered: 3, subscribed: 0, demand: 0 });
      expect(subscriber.batches).toEqual([]);
    });

    it('sends new events at once to satisfy demand', () => {
      const server = createServer();
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      const events = createFakeEvents(5);
      server.append(events);
      expect(subscriber.batches).toEqual([events]);
      expect(subscriber.deliveries[0]?.sender).toBe(server);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 5 });
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 5 });
    });

    it('spreads new events evenly over existing demand', () => {
      const server = new BufferServer<FakeEvent>({ buffer: new EventBuffer({ strategy: even, capacity: 100 }) });
      const one = new TestSubscriber<FakeEvent>();
      const two = new TestSubscriber<FakeEvent>();
      server.ask(one, 10);
      server.ask(two, 10);
      server.append(createFakeEvents(10));
      expect(one.events).toHaveLength(5);
      expect(two.events).toHaveLength(5);
      expect([...ids(one.events), ...ids(two.events)].sort((a, b) => a - b)).toEqual(ids(createFakeEvents(10)));
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 10 });
    });

    it('hands 1 of 5 events to a subscriber asking 1 and buffers 4 (the corrected README example)', () => {
      const server = new BufferServer<string>({
        buffer: new EventBuffer({ strategy: even, capacity: 10, dropStrategy: 'drop-oldest' }),
      });
      const subscriber = new TestSubscriber<string>();
      server.ask(subscriber, 1);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 1 });
      expect(server.append(['a', 'b', 'c', 'd', 'e'])).toBe(0);
      expect(subscriber.batches).toEqual([['a']]);
      expect(server.stats()).toEqual({ buffered: 4, subscribed: 1, demand: 0 });
    });
  });

  describe('append and ask', () => {
    it('returns 0 for an empty append', () => {
      const server = createServer();
      expect(server.append([])).toBe(0);
      expect(server.metrics()).toEqual({ appended: 0, dropped: 0, delivered: 0 });
    });

    it('never holds pending demand and buffered events at once', () => {
      const server = createServer({ capacity: 50 });
      const subscribers = [new TestSubscriber<FakeEvent>(), new TestSubscriber<FakeEvent>()];
      let next = 0;
      const steps: Array<() => void> = [
        () => server.append(createFakeEvents(7).map(() => ({ id: next++ }))),
        () => server.ask(subscribers[0] as TestSubscriber<FakeEvent>, 4),
        () => server.ask(subscribers[1] as TestSubscriber<FakeEvent>, 9),
        () => server.append(createFakeEvents(3).map(() => ({ id: next++ }))),
        () => server.ask(subscribers[0] as TestSubscriber<FakeEvent>, 2),
      ];
      for (let round = 0; round < 4; round++) {
        for (const step of steps) {
          step();
          const { buffered, demand } = server.stats();
          expect(buffered === 0 || demand === 0).toBe(true);
        }
      }
    });

    it('hands appended events straight to subscribers with demand, in FIFO slices, buffering the rest', () => {
      const server = createServer({ capacity: 3, dropStrategy: 'drop-oldest' });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 2);
      const batch = createFakeEvents(6);
      expect(server.append(batch)).toBe(3);
      batch.length = 0; // the producer reuses its array
      expect(ids(subscriber.events)).toEqual([3, 4]);
      expect(server.stats()).toEqual({ buffered: 1, subscribed: 1, demand: 0 });
      server.ask(subscriber, 5);
      expect(ids(subscriber.events)).toEqual([3, 4, 5]);
      expect(server.metrics()).toEqual({ appended: 6, dropped: 3, delivered: 3 });
    });

    it('lets a strategy error out of append with the events buffered and the drops counted', () => {
      let fail = true;
      const strategy = createEven({ random: () => 0 });
      const buffer = new EventBuffer<FakeEvent, Subscriber<FakeEvent>>({
        strategy: {
          name: 'flaky',
          assign: (demands, eventCount) => {
            if (fail) throw new Error('strategy down');
            return strategy.assign(demands, eventCount);
          },
        },
        capacity: 2,
      });
      const server = new BufferServer<FakeEvent>({ buffer });
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 1);
      expect(() => server.append(createFakeEvents(3))).toThrow('strategy down');
      expect(server.metrics()).toEqual({ appended: 3, dropped: 1, delivered: 0 });
      expect(server.stats()).toEqual({ buffered: 2, subscribed: 1, demand: 1 });
      fail = false;
      server.ask(subscriber, 1);
      expect(ids(subscriber.events)).toEqual([0, 1]);
    });

    it('rejects bad arguments without changing anything', () => {
      const server = createServer();
      const subscriber = new TestSubscriber<FakeEvent>();
      expect(() => server.ask(subscriber, -1)).toThrow(RangeError);
      expect(() => server.ask(subscriber, 'x' as never)).toThrow(TypeError);
      expect(() => server.ask({} as never, 1)).toThrow(TypeError);
      expect(() => server.append(5 as never)).toThrow(TypeError);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
    });

    it('rejects bad options', () => {
      expect(() => new BufferServer({} as never)).toThrow(TypeError);
      expect(() => createServer({ onError: 'x' as never })).toThrow(TypeError);
      expect(() => createServer({ redeliver: 'yes' as never })).toThrow(TypeError);
    });
  });

  describe('failures', () => {
    it('removes a subscriber whose handler throws and reports its events to onError', () => {
      const { errors, onError } = errorLog();
      const server = createServer({ onError });
      const failing = new TestSubscriber<FakeEvent>({ failOn: () => 'throw' });
      const healthy = new TestSubscriber<FakeEvent>();
      server.ask(failing, 5);
      const events = createFakeEvents(5);
      server.append(events);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.subscriber).toBe(failing);
      expect(errors[0]?.error.events).toEqual(events);
      expect(errors[0]?.error.redelivered).toBe(false);
      expect(errors[0]?.error.code).toBe('DELIVERY_FAILED');
      expect(errors[0]?.error.cause).toBe(failing.deliveries[0]?.error);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 0 });
      server.ask(healthy, 2);
      server.append(createFakeEvents(2));
      expect(healthy.events).toHaveLength(2);
      expect(failing.batches).toHaveLength(1);
    });

    it('removes a subscriber whose handler rejects, once the promise settles', async () => {
      const { errors, onError } = errorLog();
      const server = createServer({ onError });
      const failing = new TestSubscriber<FakeEvent>({ failOn: () => 'reject' });
      server.ask(failing, 5);
      server.append(createFakeEvents(2));
      expect(server.metrics().delivered).toBe(2);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 3 });
      await server.close();
      expect(errors.map(({ error }) => ids(error.events))).toEqual([[0, 1]]);
      expect(server.metrics()).toEqual({ appended: 2, dropped: 0, delivered: 0 });
    });

    it('keeps serving the other subscribers in the round where one throws', () => {
      const { errors, onError } = errorLog();
      const server = createServer({ onError });
      const failing = new TestSubscriber<FakeEvent>({ failOn: () => true });
      const healthy = new TestSubscriber<FakeEvent>();
      server.ask(failing, 2);
      server.ask(healthy, 2);
      server.append(createFakeEvents(4));
      expect(healthy.events).toHaveLength(2);
      expect(errors[0]?.error.events).toHaveLength(2);
      expect(server.metrics()).toEqual({ appended: 4, dropped: 0, delivered: 2 });
    });

    it('fails the batch of a subscriber that goes down during the round before its turn', () => {
      const { errors, onError } = errorLog();
      const server = createServer({ onError });
      const victim = new TestSubscriber<FakeEvent>();
      const reason = new Error('aborted by a neighbour');
      const killer = scripted(() => victim.crash(reason));
      server.ask(killer.subscriber, 1);
      server.ask(victim, 1);
      server.append(createFakeEvents(2));
      expect(victim.batches).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.subscriber).toBe(victim);
      expect(errors[0]?.error.cause).toBe(reason);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 0 });
    });

    it('rethrows the DeliveryError from a microtask when there is no onError', () => {
      const queued: Array<() => void> = [];
      vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
        queued.push(task);
      });
      const server = createServer();
      server.ask(new TestSubscriber<FakeEvent>({ failOn: () => true }), 1);
      server.append(createFakeEvents(1));
      expect(queued).toHaveLength(1);
      expect(() => queued[0]?.()).toThrow(DeliveryError);
    });

    it('rethrows an error thrown by onError from a microtask and stays consistent', () => {
      const queued: Array<() => void> = [];
      vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
        queued.push(task);
      });
      const server = createServer({
        onError: () => {
          throw new Error('onError broke');
        },
      });
      const healthy = new TestSubscriber<FakeEvent>();
      server.ask(new TestSubscriber<FakeEvent>({ failOn: () => true }), 1);
      server.ask(healthy, 1);
      server.append(createFakeEvents(2));
      expect(healthy.events).toHaveLength(1);
      expect(() => queued[0]?.()).toThrow('onError broke');
    });
  });

  describe('redelivery', () => {
    it('puts the events of a failed subscriber back at the head, in order, for the others', () => {
      const { errors, onError } = errorLog();
      const server = createServer({ redeliver: true, onError });
      const failing = new TestSubscriber<FakeEvent>({ failOn: () => true });
      server.ask(failing, 3);
      server.append(createFakeEvents(5));
      expect(server.stats()).toEqual({ buffered: 5, subscribed: 0, demand: 0 });
      expect(errors[0]?.error.redelivered).toBe(true);
      const other = new TestSubscriber<FakeEvent>();
      server.ask(other, 10);
      expect(ids(other.events)).toEqual([0, 1, 2, 3, 4]);
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 5 });
    });

    it('redelivers to the others within the same append', () => {
      const server = createServer({ redeliver: true });
      const failing = new TestSubscriber<FakeEvent>({ failOn: () => true });
      const other = new TestSubscriber<FakeEvent>();
      server.ask(failing, 2);
      server.ask(other, 4);
      server.append(createFakeEvents(4));
      expect(ids(other.events).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 0 });
    });

    it('redelivers a batch whose promise rejected', async () => {
      const server = createServer({ redeliver: true });
      const failing = new TestSubscriber<FakeEvent>({ failOn: () => 'reject' });
      server.ask(failing, 3);
      server.append(createFakeEvents(3));
      const other = new TestSubscriber<FakeEvent>();
      server.ask(other, 3);
      expect(other.events).toEqual([]);
      await other.waitForEvents(3);
      expect(ids(other.events)).toEqual([0, 1, 2]);
      expect(server.metrics()).toEqual({ appended: 3, dropped: 0, delivered: 3 });
    });

    it('needs a buffer that can prepend', () => {
      const buffer = bufferView(new EventBuffer<FakeEvent, Subscriber<FakeEvent>>({ strategy: even, capacity: 5 }), 'prepend');
      expect(() => new BufferServer({ buffer, redeliver: true })).toThrow(TypeError);
    });
  });

  describe('re-entrancy', () => {
    it('delivers events appended by a handler after the current round, never nested', () => {
      let depth = 0;
      let deepest = 0;
      const server = createServer();
      let appended = false;
      const producer = scripted(() => {
        depth++;
        deepest = Math.max(deepest, depth);
        if (!appended) {
          appended = true;
          server.append([{ id: 100 }, { id: 101 }]);
        }
        depth--;
      });
      const other = new TestSubscriber<FakeEvent>();
      server.ask(producer.subscriber, 2);
      server.ask(other, 2);
      server.append(createFakeEvents(2));
      expect(deepest).toBe(1);
      const all = [...producer.received.flat(), ...other.events].map((event) => event.id).sort((a, b) => a - b);
      expect(all).toEqual([0, 1, 100, 101]);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 0 });
    });

    it('serves a handler that asks for more with the events still buffered', () => {
      const server = createServer();
      const greedyReader = scripted((events) => {
        if (events.length > 0) server.ask(greedyReader.subscriber, 1);
      });
      server.append(createFakeEvents(4));
      server.ask(greedyReader.subscriber, 1);
      expect(greedyReader.received.map(ids)).toEqual([[0], [1], [2], [3]]);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 1 });
    });

    it('still hands over what was assigned to a subscriber another handler unsubscribes, and nothing more', () => {
      const server = createServer();
      const target = new TestSubscriber<FakeEvent>();
      const unsubscriber = scripted(() => server.unsubscribe(target));
      server.ask(unsubscriber.subscriber, 1);
      server.ask(target, 1);
      server.append(createFakeEvents(2));
      expect(target.events).toHaveLength(1);
      server.append(createFakeEvents(3));
      expect(target.events).toHaveLength(1);
      expect(server.stats()).toEqual({ buffered: 3, subscribed: 1, demand: 0 });
      const all = [...unsubscriber.received.flat(), ...target.events].map((event) => event.id);
      expect(new Set(all).size).toBe(all.length);
    });
  });

  describe('write', () => {
    it('waits for room and resolves once every event is accepted', async () => {
      const server = createServer({ capacity: 3 });
      const progress: number[] = [];
      let resolved = false;
      const done = server.write(createFakeEvents(5), { onAccepted: (n) => progress.push(n) }).then(() => {
        resolved = true;
      });
      expect(server.stats()).toEqual({ buffered: 3, subscribed: 0, demand: 0 });
      expect(progress).toEqual([3]);
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 2);
      expect(ids(subscriber.events)).toEqual([0, 1]);
      expect(server.stats()).toEqual({ buffered: 3, subscribed: 1, demand: 0 });
      expect(progress).toEqual([3, 5]);
      await done;
      expect(resolved).toBe(true);
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 2 });
    });

    it('serves waiting writers first come, first served', async () => {
      const server = createServer({ capacity: 2 });
      const order: string[] = [];
      const first = server.write([{ id: 0 }, { id: 1 }, { id: 2 }]).then(() => order.push('first'));
      const second = server.write([{ id: 10 }]).then(() => order.push('second'));
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 4);
      await Promise.all([first, second]);
      expect(ids(subscriber.events)).toEqual([0, 1, 2, 10]);
      expect(order).toEqual(['first', 'second']);
    });

    it('rejects with the signal reason on abort and keeps what it accepted', async () => {
      const server = createServer({ capacity: 2 });
      const controller = new AbortController();
      let accepted = 0;
      const done = server.write(createFakeEvents(5), {
        signal: controller.signal,
        onAccepted: (n) => {
          accepted = n;
        },
      });
      const reason = new Error('stop waiting');
      controller.abort(reason);
      await expect(done).rejects.toBe(reason);
      expect(accepted).toBe(2);
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 10);
      expect(ids(subscriber.events)).toEqual([0, 1]);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 1, demand: 8 });
    });

    it('rejects at once with an already aborted signal', async () => {
      const server = createServer({ capacity: 2 });
      await expect(server.write(createFakeEvents(1), { signal: AbortSignal.abort('no') })).rejects.toBe('no');
      expect(server.stats().buffered).toBe(0);
    });

    it('lets a later writer through once an aborted writer ahead of it is gone', async () => {
      const server = createServer({ capacity: 1 });
      server.append([{ id: 0 }]);
      const controller = new AbortController();
      const stuck = server.write([{ id: 1 }], { signal: controller.signal });
      const next = server.write([{ id: 2 }]);
      controller.abort();
      await expect(stuck).rejects.toBeDefined();
      const subscriber = new TestSubscriber<FakeEvent>();
      server.ask(subscriber, 2);
      await next;
      expect(ids(subscriber.events)).toEqual([0, 2]);
    });

    it('appends at once into a buffer that exposes no capacity, counting what it drops', async () => {
      const inner = new EventBuffer<FakeEvent, Subscriber<FakeEvent>>({ strategy: even, capacity: 5 });
      const server = new BufferServer<FakeEvent>({ buffer: bufferView(inner, 'capacity') });
      await server.write(createFakeEvents(7));
      expect(server.stats().buffered).toBe(5);
      expect(server.metrics()).toEqual({ appended: 7, dropped: 2, delivered: 0 });
    });

    it('resolves at once for no events', async () => {
      const server = createServer({ capacity: 1 });
      server.append(createFakeEvents(1));
      await expect(server.write([])).resolves.toBeUndefined();
    });
  });

  describe('close', () => {
    it('rejects waiting writes and refuses later calls', async () => {
      const server = createServer({ capacity: 1 });
      const waiting = server.write(createFakeEvents(3));
      await server.close();
      await expect(waiting).rejects.toBeInstanceOf(BufferClosedError);
      expect(() => server.append(createFakeEvents(1))).toThrow(BufferClosedError);
      expect(() => server.ask(new TestSubscriber<FakeEvent>(), 1)).toThrow(BufferClosedError);
      expect(() => server.subscribe()).toThrow(BufferClosedError);
      await expect(server.write(createFakeEvents(1))).rejects.toBeInstanceOf(BufferClosedError);
      expect(server.stats()).toEqual({ buffered: 1, subscribed: 0, demand: 0 });
    });

    it('unsubscribes everyone and releases their signals', async () => {
      const server = createServer();
      const subscriber = new TestSubscriber<FakeEvent>();
      const remove = vi.spyOn(subscriber.signal, 'removeEventListener');
      server.ask(subscriber, 3);
      await server.close();
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 0, demand: 0 });
      expect(remove).toHaveBeenCalled();
      expect(server.unsubscribe(subscriber)).toBe(false);
    });

    it('resolves only when the promises handlers returned have settled', async () => {
      const server = createServer();
      let finish: () => void = () => undefined;
      const slow: Subscriber<FakeEvent> = {
        handleAssignedEvents: () =>
          new Promise<void>((resolve) => {
            finish = resolve;
          }),
      };
      server.ask(slow, 1);
      server.append(createFakeEvents(1));
      let closed = false;
      const closing = server.close().then(() => {
        closed = true;
      });
      await Promise.resolve();
      await Promise.resolve();
      expect(closed).toBe(false);
      finish();
      await closing;
      expect(closed).toBe(true);
    });

    it('returns the same promise when called twice, and works with await using', async () => {
      const server = createServer();
      expect(server.close()).toBe(server.close());
      const other = createServer();
      await other[Symbol.asyncDispose]();
      expect(() => other.append([])).toThrow(BufferClosedError);
    });
  });
});

/** A plain-object view of an EventBuffer, optionally without its optional members. */
function bufferView<E, S>(buffer: EventBuffer<E, S>, without: 'capacity' | 'prepend'): DemandBuffer<E, S> {
  const view: DemandBuffer<E, S> = {
    append: (events) => buffer.append(events),
    ask: (subscriber, demand) => buffer.ask(subscriber, demand),
    assignEvents: () => buffer.assignEvents(),
    delete: (subscriber) => buffer.delete(subscriber),
    stats: () => buffer.stats(),
    get size() {
      return buffer.size;
    },
  };
  if (without === 'capacity') return Object.assign(view, { prepend: (events: readonly E[]) => buffer.prepend(events) });
  Object.defineProperty(view, 'capacity', { get: () => buffer.capacity });
  return view;
}
