import { BufferClosedError, DispatchingBuffer, EventBuffer, type Subscriber } from '@dispenser/core';
import { BroadcastDispatcher, createEven, createGreedy, even, PartitionDispatcher } from '@dispenser/strategies';
import { TestSubscriber, bareDemandBuffer, createFakeEvents, type FakeEvent } from '@dispenser/testing-utils';
import { afterEach, describe, expect, it, test, vi } from 'vitest';
import { BatchingBufferServer } from './batching-buffer-server';
import { BufferServer } from './buffer-server';
import type { ServerOptions } from './server-types';
import { DeliveryError } from './errors';
import { createEvenBuffer, ids, range, type EvenBufferOptions } from './test/fake-events';

type Options = ServerOptions<FakeEvent> & EvenBufferOptions;

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
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 5, failed: 0 });
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
      expect(server.metrics()).toEqual({ appended: 0, dropped: 0, delivered: 0, failed: 0 });
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
      expect(server.metrics()).toEqual({ appended: 6, dropped: 3, delivered: 3, failed: 0 });
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
      expect(server.metrics()).toEqual({ appended: 3, dropped: 1, delivered: 0, failed: 0 });
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
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 0, failed: 5 });
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
      expect(server.metrics()).toEqual({ appended: 2, dropped: 0, delivered: 0, failed: 2 });
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
      expect(server.metrics()).toEqual({ appended: 4, dropped: 0, delivered: 2, failed: 2 });
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

    it('reports a failure on console.error by default, naming the subscriber and the events, and keeps serving', () => {
      const logged: unknown[] = [];
      vi.spyOn(console, 'error').mockImplementation((error: unknown) => logged.push(error));
      const queued = vi.spyOn(globalThis, 'queueMicrotask');
      const server = createServer();
      const failing = { name: 'socket-7', handleAssignedEvents: () => Promise.reject(new Error('closed')) };
      const healthy = new TestSubscriber<FakeEvent>();
      const throwing = {
        name: 'socket-3',
        handleAssignedEvents: () => {
          throw new Error('boom');
        },
      };
      server.ask(throwing, 1);
      server.ask(healthy, 1);
      server.append(createFakeEvents(2));
      expect(healthy.events).toHaveLength(1);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toBeInstanceOf(DeliveryError);
      expect((logged[0] as Error).message).toBe("subscriber 'socket-3' failed on 1 event: boom");
      expect(queued).not.toHaveBeenCalled();
      server.ask(failing, 1);
      server.append(createFakeEvents(1));
      return server.close().then(() => {
        expect((logged[1] as Error).message).toBe("subscriber 'socket-7' failed on 1 event: closed");
        expect(server.metrics()).toEqual({ appended: 3, dropped: 0, delivered: 1, failed: 2 });
      });
    });

    it('reports an error thrown by onError on console.error and stays consistent', () => {
      const logged: unknown[] = [];
      vi.spyOn(console, 'error').mockImplementation((error: unknown) => logged.push(error));
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
      expect((logged[0] as Error).message).toBe('onError broke');
      expect(server.metrics()).toEqual({ appended: 2, dropped: 0, delivered: 1, failed: 1 });
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
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 5, failed: 0 });
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
      expect(server.metrics()).toEqual({ appended: 3, dropped: 0, delivered: 3, failed: 0 });
    });

    it('needs a buffer that can prepend', () => {
      const buffer = bareDemandBuffer(new EventBuffer<FakeEvent, Subscriber<FakeEvent>>({ strategy: even, capacity: 5 }), ['capacity']);
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
      expect(server.metrics()).toEqual({ appended: 5, dropped: 0, delivered: 2, failed: 0 });
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
      const server = new BufferServer<FakeEvent>({ buffer: bareDemandBuffer(inner, ['prepend']) });
      await server.write(createFakeEvents(7));
      expect(server.stats().buffered).toBe(5);
      expect(server.metrics()).toEqual({ appended: 7, dropped: 2, delivered: 0, failed: 0 });
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

describe('BufferServer hardening', () => {
  it('takes a poison event out (a partition hash that fails on it) and keeps delivering the rest', () => {
    const drops: unknown[] = [];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const server = new BufferServer<unknown>({
      buffer: new DispatchingBuffer<unknown, Subscriber<unknown>>({
        dispatcher: (send, discard) => new PartitionDispatcher(send, { partitions: 1, onDiscard: discard }),
        capacity: 10,
        subscribeOptions: () => ({ partition: 0 }),
      }),
      onDrop: (events, reason, cause) => drops.push([events, reason, cause instanceof TypeError]),
    });
    const subscriber = new TestSubscriber<unknown>();
    server.ask(subscriber, 10);
    const poison = { not: 'hashable' };
    expect(server.append([1, poison, 3])).toBe(0);
    expect(subscriber.events).toEqual([1, 3]);
    server.append([4]);
    expect(subscriber.events).toEqual([1, 3, 4]);
    expect(drops).toEqual([[[poison], 'discarded', true]]);
    expect(server.metrics()).toEqual({ appended: 4, dropped: 1, delivered: 3, failed: 0 });
    expect(logged).not.toHaveBeenCalled();
  });

  it('keeps the books when a partition hash discards events (returns null)', () => {
    const server = new BufferServer<number>({
      buffer: new DispatchingBuffer<number, Subscriber<number>>({
        dispatcher: (send, discard) =>
          new PartitionDispatcher<number, Subscriber<number>, number>(send, {
            partitions: 1,
            hash: (n) => (n % 2 === 0 ? null : [n, 0]),
            onDiscard: discard,
          }),
        capacity: 10,
        subscribeOptions: () => ({ partition: 0 }),
      }),
    });
    const subscriber = new TestSubscriber<number>();
    server.ask(subscriber, 10);
    server.append([1, 2, 3, 4]);
    const { appended, delivered, dropped, failed } = server.metrics();
    expect([appended, delivered, dropped, failed]).toEqual([4, 2, 2, 0]);
    expect(appended).toBe(delivered + dropped + failed + server.stats().buffered);
  });

  it('refuses redeliver over a dispatcher that broadcasts, and fails (does not re-broadcast) what a subscription gives back', async () => {
    const broadcast = () =>
      new DispatchingBuffer<FakeEvent, Subscriber<FakeEvent>>({ dispatcher: (send) => new BroadcastDispatcher(send), capacity: 10 });
    expect(() => new BufferServer<FakeEvent>({ buffer: broadcast(), redeliver: true })).toThrow(
      /options\.redeliver cannot be used with this buffer: it sends each event to several subscribers/,
    );
    const server = new BufferServer<FakeEvent>({ buffer: broadcast() });
    const healthy = new TestSubscriber<FakeEvent>();
    server.ask(healthy, 10);
    const subscription = server.subscribe({ maxDemand: 10 });
    server.append(createFakeEvents(2));
    for await (const batch of subscription) {
      expect(ids(batch)).toEqual([0, 1]);
      break;
    }
    expect(ids(healthy.events)).toEqual([0, 1]);
    server.append([{ id: 2 }]);
    expect(ids(healthy.events)).toEqual([0, 1, 2]);
  });

  it('treats a handler result as await would: a then that throws is a failure, a then that calls back twice counts once', async () => {
    const { errors, onError } = errorLog();
    const server = createServer({ onError });
    const twice = {
      handleAssignedEvents: () => ({
        then(resolve: () => void, reject: (error: unknown) => void) {
          resolve();
          resolve();
          reject(new Error('late'));
        },
      }),
    };
    const hostile = {
      handleAssignedEvents: () => ({
        get then(): never {
          throw new Error('then getter');
        },
      }),
    };
    server.ask(twice as unknown as Subscriber<FakeEvent>, 2);
    server.ask(hostile as unknown as Subscriber<FakeEvent>, 2);
    server.append(createFakeEvents(4));
    await server.close();
    expect(errors.map(({ error }) => (error.cause as Error).message)).toEqual(['then getter']);
    expect(server.metrics()).toEqual({ appended: 4, dropped: 0, delivered: 2, failed: 2 });
  });

  describe('close() from inside a handler', () => {
    it('runs the same final round as any other close()', async () => {
      const server = createServer();
      let closing: Promise<void> | undefined;
      const { subscriber, received } = scripted((events) => {
        if (ids(events)[0] === 1) {
          server.append([{ id: 2 }, { id: 3 }]);
          closing = server.close();
        }
      });
      server.ask(subscriber, 4);
      server.append([{ id: 1 }]);
      expect(received.flat().map((event) => event.id)).toEqual([1, 2, 3]);
      await closing;
      expect(() => server.append([{ id: 4 }])).toThrow(BufferClosedError);
    });

    it('gives a handler that calls close() during the final round the same promise', async () => {
      const buffer = createEvenBuffer();
      const server = new BufferServer<FakeEvent>({ buffer });
      const promises: Array<Promise<void>> = [];
      const { subscriber, received } = scripted(() => promises.push(server.close()));
      server.ask(subscriber, 1);
      buffer.append(createFakeEvents(1)); // behind the server's back: only the final round hands it out
      const outer = server.close();
      expect(received).toHaveLength(1);
      expect(promises).toHaveLength(1);
      expect(promises[0]).toBe(outer);
      await outer;
    });
  });

  describe('close({ signal })', () => {
    it('stops waiting for a handler promise that never settles: rejects with the reason and counts its events as failed', async () => {
      const server = createServer();
      const stuck = { handleAssignedEvents: () => new Promise<void>(() => undefined) };
      server.ask(stuck, 3);
      server.append(createFakeEvents(3));
      const controller = new AbortController();
      const closing = server.close({ signal: controller.signal });
      expect(await Promise.race([closing.then(() => 'closed'), Promise.resolve('waiting')])).toBe('waiting');
      controller.abort(new Error('gave up'));
      await expect(closing).rejects.toThrow('gave up');
      expect(server.close()).toBe(closing);
      expect(server.metrics()).toEqual({ appended: 3, dropped: 0, delivered: 0, failed: 3 });
    });

    it('puts the abandoned events back in the buffer with redeliver, and ignores the handler when it settles later', async () => {
      const server = createServer({ redeliver: true });
      let reject!: (error: unknown) => void;
      const late = { handleAssignedEvents: () => new Promise<void>((_, r) => (reject = r)) };
      server.ask(late, 2);
      server.append(createFakeEvents(2));
      const closing = server.close({ signal: AbortSignal.abort('now') });
      await expect(closing).rejects.toBe('now');
      expect(server.stats().buffered).toBe(2);
      reject(new Error('too late'));
      await Promise.resolve();
      expect(server.stats().buffered).toBe(2);
      expect(server.metrics()).toEqual({ appended: 2, dropped: 0, delivered: 0, failed: 0 });
    });

    it('rejects bad options', async () => {
      await expect(createServer().close({ signal: 'soon' } as never)).rejects.toThrow(/options\.signal must be an AbortSignal/);
      await expect(createServer().close({ signl: undefined, timeout: 1 } as never)).rejects.toThrow(/unknown key "timeout"/);
    });
  });

  describe('the capacity shorthand', () => {
    it('makes an EventBuffer with even when given a capacity instead of a buffer', () => {
      const server = new BufferServer<number>({ capacity: 3, dropStrategy: 'drop-oldest' });
      const subscribers = [new TestSubscriber<number>(), new TestSubscriber<number>()];
      for (const subscriber of subscribers) server.ask(subscriber, 5);
      expect(server.append([1, 2, 3, 4])).toBe(1);
      expect(subscribers.map((s) => s.events.length).sort()).toEqual([1, 2]);
      expect(subscribers.flatMap((s) => s.events).sort()).toEqual([2, 3, 4]);
    });

    it('takes the strategy to use', () => {
      const server = new BufferServer<number>({ capacity: 10, strategy: createGreedy({ random: () => 0 }) });
      const [first, second] = [new TestSubscriber<number>(), new TestSubscriber<number>()];
      server.ask(first, 5);
      server.ask(second, 5);
      server.append([1, 2, 3]);
      expect([first.events, second.events]).toEqual([[1, 2, 3], []]);
    });

    it('refuses a buffer and a capacity together, or neither, and a bad capacity', () => {
      expect(() => new BufferServer({ buffer: createEvenBuffer(), capacity: 5 } as never)).toThrow(
        /options\.buffer cannot be combined with options\.capacity/,
      );
      expect(() => new BufferServer({ onError: () => undefined } as never)).toThrow(/options must name a buffer \(options\.buffer\) or the capacity/);
      expect(() => new BufferServer({ capacity: 0 })).toThrow(/options\.capacity must be a safe integer >= 1/);
    });
  });

  describe('onDrop', () => {
    test.each(['drop-newest', 'drop-oldest'] as const)('hands over what %s drops', (dropStrategy) => {
      const drops: Array<[number[], string]> = [];
      const server = createServer({ capacity: 2, dropStrategy, onDrop: (events, reason) => drops.push([ids(events), reason]) });
      server.append(createFakeEvents(3));
      expect(drops).toEqual([[dropStrategy === 'drop-newest' ? [2] : [0], dropStrategy]]);
    });

    it('hands over redelivered events that no longer fit, with the drop strategy as the reason', () => {
      const drops: Array<[number[], string]> = [];
      const server = createServer({
        capacity: 2,
        redeliver: true,
        onError: () => undefined,
        onDrop: (events, reason) => drops.push([ids(events), reason]),
      });
      // The handler fills the buffer again before it fails, so its batch does not all fit back.
      const failing = scripted(() => {
        server.append(range(10, 12));
        throw new Error('failed after a refill');
      });
      server.ask(failing.subscriber, 2);
      server.append(range(0, 2));
      expect(drops).toEqual([[[10, 11], 'drop-newest']]);
      expect(server.stats().buffered).toBe(2);
      expect(server.metrics()).toEqual({ appended: 4, dropped: 2, delivered: 0, failed: 0 });
    });

    it('is refused for a buffer that does not report its drops, and its errors go to console.error', () => {
      const plain = bareDemandBuffer(createEvenBuffer({ capacity: 1 }));
      expect(() => new BufferServer({ buffer: plain, onDrop: () => undefined })).toThrow(/options\.onDrop needs a buffer that reports its drops/);
      const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const server = createServer({
        capacity: 1,
        onDrop: () => {
          throw new Error('dead letters full');
        },
      });
      expect(server.append(createFakeEvents(2))).toBe(1);
      expect((logged.mock.calls[0]?.[0] as Error).message).toBe('dead letters full');
    });
  });

  describe('inputs', () => {
    it('refuses a batch that is not an array (a string is not a batch of letters)', async () => {
      const server = new BufferServer<string>({ buffer: new EventBuffer<string, Subscriber<string>>({ strategy: even, capacity: 10 }) });
      expect(() => server.append('abc' as never)).toThrow(/events must be an array of events, received "abc"/);
      await expect(server.write(new Set(['a']) as never)).rejects.toThrow(TypeError);
      expect(server.stats().buffered).toBe(0);
    });

    it('refuses unknown option keys, listing the known ones', async () => {
      const buffer = createEvenBuffer();
      expect(() => new BufferServer({ buffer, onerror: () => undefined } as never)).toThrow(
        /options has unknown key "onerror"; known keys: buffer, capacity, dropStrategy, strategy, monitor, redeliver, onError, onDrop/,
      );
      expect(() => new BatchingBufferServer({ buffer, batchSize: 1, maxDelay: 1, maxdelay: 2 } as never)).toThrow(
        /unknown key "maxdelay"; known keys: buffer, capacity, dropStrategy, strategy, monitor, redeliver, onError, onDrop, batchSize, maxDelay, clock/,
      );
      await expect(new BufferServer({ buffer }).write([], { sgnal: 1 } as never)).rejects.toThrow(/unknown key "sgnal"/);
    });

    it('names amount when an ask would take the total demand past Number.MAX_SAFE_INTEGER', () => {
      const server = createServer();
      server.ask(new TestSubscriber<FakeEvent>(), Number.MAX_SAFE_INTEGER);
      expect(() => server.ask(new TestSubscriber<FakeEvent>(), 1)).toThrow(/^amount 1 \(number\) would take the total demand past/);
      expect(server.stats().subscribed).toBe(1);
    });
  });
});
