// End to end: push servers driving GenStage's dispatchers through a DispatchingBuffer, with recording subscribers.
import { DispatchingBuffer, type Subscriber } from '@dispenser/core';
import { BroadcastDispatcher, DemandDispatcher, PartitionDispatcher } from '@dispenser/strategies';
import { ManualClock, TestSubscriber, createFakeEvents, type FakeEvent } from '@dispenser/testing-utils';
import { describe, expect, it } from 'vitest';
import { BatchingBufferServer } from './batching-buffer-server';
import { BufferServer } from './buffer-server';
import { ids } from './test/fake-events';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * A consumer in the GenStage style: it asks for `maxDemand` once, then asks again for as many
 * events as each batch it handled, so its demand stays at `maxDemand`. It stops asking once
 * crashed.
 */
class RefillingSubscriber<E> extends TestSubscriber<E> {
  constructor(readonly maxDemand: number) {
    super();
  }

  override handleAssignedEvents(events: E[], sender: unknown): void | Promise<void> {
    const result = super.handleAssignedEvents(events, sender);
    if (!this.crashed) (sender as BufferServer<E>).ask(this, events.length);
    return result;
  }
}

/** Appends `events` in chunks of `size`, the way a producer would over time. */
function appendInChunks<E>(server: BufferServer<E>, events: readonly E[], size: number): void {
  for (let i = 0; i < events.length; i += size) expect(server.append(events.slice(i, i + size))).toBe(0);
}

/** Every event of every subscriber, asserting that no event reached two subscribers or one twice. */
function deliveredOnce(subscribers: readonly TestSubscriber<FakeEvent>[]): number[] {
  const all = subscribers.flatMap((subscriber) => ids(subscriber.events));
  expect(new Set(all).size).toBe(all.length);
  return all.sort((a, b) => a - b);
}

function isAscending(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if ((values[i] as number) <= (values[i - 1] as number)) return false;
  return true;
}

describe('BufferServer', () => {
  describe('over a DispatchingBuffer with a DemandDispatcher', () => {
    type Refilling = RefillingSubscriber<FakeEvent>;

    function createServer(capacity = 1000) {
      return new BufferServer<FakeEvent>({
        buffer: new DispatchingBuffer<FakeEvent, Subscriber<FakeEvent>>({
          dispatcher: (send) => new DemandDispatcher(send),
          capacity,
        }),
      });
    }

    it('serves the subscriber with the biggest demand first, then the next biggest', () => {
      const server = createServer();
      const events = createFakeEvents(20);
      const small = new TestSubscriber<FakeEvent>();
      const big = new TestSubscriber<FakeEvent>();
      const medium = new TestSubscriber<FakeEvent>();
      server.ask(small, 2);
      server.ask(big, 10);
      server.ask(medium, 5);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 3, demand: 17 });

      server.append(events.slice(0, 12));
      expect(big.batches.map(ids)).toEqual([range(0, 10)]);
      expect(medium.batches.map(ids)).toEqual([[10, 11]]);
      expect(small.batches).toEqual([]);

      // Medium (3 left) now outranks small (2).
      server.append(events.slice(12, 17));
      expect(medium.batches.map(ids)).toEqual([[10, 11], [12, 13, 14]]);
      expect(small.batches.map(ids)).toEqual([[15, 16]]);

      // No demand left: events wait, and go to whoever asks next.
      server.append(events.slice(17));
      expect(server.stats()).toEqual({ buffered: 3, subscribed: 3, demand: 0 });
      server.ask(small, 2);
      server.ask(big, 4);
      expect(ids(small.events)).toEqual([15, 16, 17, 18]);
      expect(ids(big.events)).toEqual([...range(0, 10), 19]);

      expect(deliveredOnce([small, big, medium])).toEqual(range(0, 20));
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 3, demand: 3 });
      expect(server.metrics()).toEqual({ appended: 20, dropped: 0, delivered: 20, failed: 0 });
    });

    it('delivers a long stream exactly once, in order per subscriber, shared by demand', () => {
      const server = createServer();
      const subscribers = [1, 4, 10].map((maxDemand) => new RefillingSubscriber<FakeEvent>(maxDemand));
      for (const subscriber of subscribers) server.ask(subscriber, subscriber.maxDemand);

      // Every chunk of 15 meets the whole demand: biggest first, so 10, 4 and 1 events.
      appendInChunks(server, createFakeEvents(195), 15);
      const [one, four, ten] = subscribers as [Refilling, Refilling, Refilling];
      expect([one.events.length, four.events.length, ten.events.length]).toEqual([13, 52, 130]);
      expect(ten.batches.every((batch) => batch.length === 10)).toBe(true);

      // Chunks bigger than the demand: the rest waits in the buffer and drains as they ask again.
      server.append(createFakeEvents(300).slice(195));
      expect(deliveredOnce(subscribers)).toEqual(range(0, 300));
      for (const subscriber of subscribers) expect(isAscending(ids(subscriber.events))).toBe(true);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 3, demand: 15 });
    });

    it('keeps serving the others when a subscriber crashes mid-stream, losing nothing', () => {
      const server = createServer();
      const subscribers = [3, 5, 7].map((maxDemand) => new RefillingSubscriber<FakeEvent>(maxDemand));
      const [crashing, ...others] = subscribers as [RefillingSubscriber<FakeEvent>, ...RefillingSubscriber<FakeEvent>[]];
      for (const subscriber of subscribers) server.ask(subscriber, subscriber.maxDemand);
      const events = createFakeEvents(200);

      appendInChunks(server, events.slice(0, 60), 15);
      const before = others.map((subscriber) => subscriber.events.length);
      const crashedWith = crashing.events.length;
      expect(crashedWith).toBeGreaterThan(0);

      crashing.crash();
      expect(server.stats().subscribed).toBe(2);
      appendInChunks(server, events.slice(60), 12);

      expect(crashing.batches.flat().length).toBe(crashedWith);
      others.forEach((subscriber, i) => expect(subscriber.events.length).toBeGreaterThan(before[i] as number));
      expect(deliveredOnce(subscribers)).toEqual(range(0, 200));
      expect(ids(crashing.events).every((id) => id < 60)).toBe(true);
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 12 });
    });
  });

  describe('over a DispatchingBuffer with a BroadcastDispatcher', () => {
    const isEven = (event: FakeEvent): boolean => event.id % 2 === 0;

    function createServer(selective: ReadonlySet<Subscriber<FakeEvent>> = new Set()) {
      return new BufferServer<FakeEvent>({
        buffer: new DispatchingBuffer<FakeEvent, Subscriber<FakeEvent>>({
          dispatcher: (send) => new BroadcastDispatcher(send),
          capacity: 1000,
          subscribeOptions: (subscriber) => (selective.has(subscriber) ? { selector: isEven } : {}),
        }),
      });
    }

    it('releases only what the slowest subscriber asked for, to everyone', () => {
      const fast = new TestSubscriber<FakeEvent>();
      const slow = new TestSubscriber<FakeEvent>();
      const evens = new TestSubscriber<FakeEvent>();
      const server = createServer(new Set([evens]));
      server.ask(fast, 10);
      server.ask(slow, 3);
      server.ask(evens, 10);

      server.append(createFakeEvents(8));
      expect(fast.batches.map(ids)).toEqual([[0, 1, 2]]);
      expect(slow.batches.map(ids)).toEqual([[0, 1, 2]]);
      expect(evens.batches.map(ids)).toEqual([[0, 2]]);
      expect(server.stats().buffered).toBe(5);

      server.ask(slow, 5);
      expect(ids(fast.events)).toEqual(range(0, 8));
      expect(ids(slow.events)).toEqual(range(0, 8));
      expect(ids(evens.events)).toEqual([0, 2, 4, 6]);
      expect(server.stats().buffered).toBe(0);
    });

    it('gives every subscriber the identical sequence, paced by the slowest, and a selector only its events', () => {
      const fast = new RefillingSubscriber<FakeEvent>(10);
      const middle = new RefillingSubscriber<FakeEvent>(5);
      const slow = new RefillingSubscriber<FakeEvent>(2);
      const evens = new RefillingSubscriber<FakeEvent>(10);
      const subscribers = [fast, middle, slow, evens];
      const server = createServer(new Set([evens]));
      for (const subscriber of subscribers) server.ask(subscriber, subscriber.maxDemand);

      appendInChunks(server, createFakeEvents(120), 25);

      expect(ids(fast.events)).toEqual(range(0, 120));
      expect(ids(middle.events)).toEqual(ids(fast.events));
      expect(ids(slow.events)).toEqual(ids(fast.events));
      expect(ids(evens.events)).toEqual(range(0, 120).filter((id) => id % 2 === 0));
      // Nobody ever got ahead of the slowest subscriber's demand.
      for (const subscriber of [fast, middle, slow]) {
        expect(Math.max(...subscriber.batches.map((batch) => batch.length))).toBe(2);
      }
      expect(server.stats().buffered).toBe(0);
    });

    it('keeps serving the others when the slowest subscriber crashes, no longer paced by it', () => {
      const fast = new RefillingSubscriber<FakeEvent>(10);
      const slow = new RefillingSubscriber<FakeEvent>(2);
      const evens = new RefillingSubscriber<FakeEvent>(10);
      const server = createServer(new Set([evens]));
      for (const subscriber of [fast, slow, evens]) server.ask(subscriber, subscriber.maxDemand);

      appendInChunks(server, createFakeEvents(100).slice(0, 40), 8);
      expect(ids(slow.events)).toEqual(range(0, 40));
      const fastBatches = fast.batches.length;

      slow.crash();
      appendInChunks(server, createFakeEvents(100).slice(40), 20);

      expect(ids(slow.events)).toEqual(range(0, 40));
      expect(ids(fast.events)).toEqual(range(0, 100));
      expect(ids(evens.events)).toEqual(range(0, 100).filter((id) => id % 2 === 0));
      // Without the slow subscriber the fast one receives up to its own demand at a time.
      expect(Math.max(...fast.batches.slice(fastBatches).map((batch) => batch.length))).toBe(10);
      expect(server.stats()).toMatchObject({ buffered: 0, subscribed: 2 });
    });
  });

  describe('over a DispatchingBuffer with a PartitionDispatcher', () => {
    interface UserEvent {
      readonly user: string;
      readonly seq: number;
    }

    const users = ['ada', 'bob', 'cyd', 'dee', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon'];

    /** A stable hash of the user name to a partition in 0..3. */
    function partitionOf(user: string): number {
      let hash = 0;
      for (let i = 0; i < user.length; i++) hash = (hash * 31 + user.charCodeAt(i)) >>> 0;
      return hash % 4;
    }

    /** Each user's events numbered 0.., interleaved across users the way they would arrive. */
    function userEvents(perUser: number): UserEvent[] {
      const events: UserEvent[] = [];
      for (let seq = 0; seq < perUser; seq++) for (const user of users) events.push({ user, seq });
      return events;
    }

    function createServer(partitions: Map<Subscriber<UserEvent>, number>) {
      return new BufferServer<UserEvent>({
        buffer: new DispatchingBuffer<UserEvent, Subscriber<UserEvent>>({
          dispatcher: (send) =>
            new PartitionDispatcher<UserEvent, Subscriber<UserEvent>>(send, {
              partitions: 4,
              hash: (event) => [event, partitionOf(event.user)],
            }),
          capacity: 1000,
          subscribeOptions: (subscriber) => ({ partition: partitions.get(subscriber) }),
        }),
      });
    }

    /** Asserts that each user's events went to the subscriber of its partition only, in seq order. */
    function expectPerUserOrder(
      workers: readonly TestSubscriber<UserEvent>[],
      partitions: Map<Subscriber<UserEvent>, number>,
      perUser: number,
    ): void {
      const seen = new Map<string, number[]>();
      for (const worker of workers) {
        for (const event of worker.events) {
          expect(partitionOf(event.user)).toBe(partitions.get(worker));
          const seqs = seen.get(event.user) ?? [];
          seqs.push(event.seq);
          seen.set(event.user, seqs);
        }
      }
      for (const user of users) expect(seen.get(user)).toEqual(range(0, perUser));
    }

    it('processes each user in order at one subscriber, none lost or duplicated', () => {
      // The sample users cover every partition.
      expect(new Set(users.map(partitionOf)).size).toBe(4);
      const workers = [3, 1, 4, 2].map((maxDemand) => new RefillingSubscriber<UserEvent>(maxDemand));
      const partitions = new Map<Subscriber<UserEvent>, number>(workers.map((worker, i) => [worker, i]));
      const server = createServer(partitions);
      for (const worker of workers) server.ask(worker, worker.maxDemand);

      const events = userEvents(30);
      appendInChunks(server, events, 13);

      expectPerUserOrder(workers, partitions, 30);
      expect(workers.reduce((sum, worker) => sum + worker.events.length, 0)).toBe(events.length);
      for (const worker of workers) {
        expect(worker.events.length).toBeGreaterThan(0);
        expect(Math.max(...worker.batches.map((batch) => batch.length))).toBeLessThanOrEqual(worker.maxDemand);
      }
      expect(server.stats()).toEqual({ buffered: 0, subscribed: 4, demand: 10 });
      expect(server.metrics()).toEqual({ appended: 300, dropped: 0, delivered: 300, failed: 0 });
    });

    it('keeps the events of a crashed subscriber for its replacement, still in order per user', () => {
      const workers = [2, 2, 2, 2].map((maxDemand) => new RefillingSubscriber<UserEvent>(maxDemand));
      const partitions = new Map<Subscriber<UserEvent>, number>(workers.map((worker, i) => [worker, i]));
      const server = createServer(partitions);
      for (const worker of workers) server.ask(worker, worker.maxDemand);
      const events = userEvents(20);

      appendInChunks(server, events.slice(0, 60), 6);
      const crashing = workers[2] as RefillingSubscriber<UserEvent>;
      const crashedWith = crashing.events.length;
      const before = workers.map((worker) => worker.events.length);
      crashing.crash();
      appendInChunks(server, events.slice(60, 100), 5);

      // The other partitions keep going; partition 2 holds its events for the next subscriber.
      expect(crashing.batches.flat().length).toBe(crashedWith);
      for (const i of [0, 1, 3]) {
        expect((workers[i] as RefillingSubscriber<UserEvent>).events.length).toBeGreaterThan(before[i] as number);
      }

      const replacement = new RefillingSubscriber<UserEvent>(2);
      partitions.set(replacement, 2);
      server.ask(replacement, replacement.maxDemand);
      appendInChunks(server, events.slice(100), 7);

      const taken = [crashing, replacement];
      const seqs = (user: string): number[] =>
        taken.flatMap((worker) => worker.events.filter((event) => event.user === user).map((event) => event.seq));
      for (const user of users.filter((name) => partitionOf(name) === 2)) expect(seqs(user)).toEqual(range(0, 20));
      const survivors = [workers[0], workers[1], workers[3], replacement] as RefillingSubscriber<UserEvent>[];
      expect([...workers, replacement].reduce((sum, worker) => sum + worker.events.length, 0)).toBe(events.length);
      for (const worker of survivors) {
        for (const event of worker.events) expect(partitionOf(event.user)).toBe(partitions.get(worker));
      }
      expect(server.stats()).toMatchObject({ buffered: 0, subscribed: 4 });
    });
  });
});

describe('BatchingBufferServer', () => {
  it('sends the events of a DispatchingBuffer in batches: at batchSize, after maxDelay, and on close', async () => {
    const clock = new ManualClock();
    const server = new BatchingBufferServer<FakeEvent>({
      buffer: new DispatchingBuffer<FakeEvent, Subscriber<FakeEvent>>({
        dispatcher: (send) => new DemandDispatcher(send),
        capacity: 100,
      }),
      batchSize: 5,
      maxDelay: 100,
      clock,
    });
    const big = new TestSubscriber<FakeEvent>();
    const small = new TestSubscriber<FakeEvent>();
    server.ask(big, 6);
    server.ask(small, 4);
    const events = createFakeEvents(20);

    // Fewer than batchSize: nothing goes out until maxDelay has passed.
    server.append(events.slice(0, 3));
    clock.advance(99);
    expect(big.batches).toEqual([]);
    expect(server.stats().buffered).toBe(3);
    clock.advance(1);
    expect(big.batches.map(ids)).toEqual([[0, 1, 2]]);
    expect(small.batches).toEqual([]);

    // batchSize reached: sent at once, biggest remaining demand first (small has 4, big 3).
    server.append(events.slice(3, 6));
    expect(big.batches.length).toBe(1);
    server.append(events.slice(6, 10));
    expect(small.batches.map(ids)).toEqual([[3, 4, 5, 6]]);
    expect(big.batches.map(ids)).toEqual([[0, 1, 2], [7, 8, 9]]);
    expect(server.stats()).toEqual({ buffered: 0, subscribed: 2, demand: 0 });

    // Demand without enough events waits for the timer too; close() sends without waiting.
    server.ask(small, 5);
    server.append(events.slice(10, 12));
    expect(small.events.length).toBe(4);
    await server.close();
    expect(small.batches.map(ids)).toEqual([[3, 4, 5, 6], [10, 11]]);
    expect(clock.pending).toBe(0);
    expect(deliveredOnce([big, small])).toEqual(range(0, 12));
    expect(server.metrics()).toEqual({ appended: 12, dropped: 0, delivered: 12, failed: 0 });
  });
});
