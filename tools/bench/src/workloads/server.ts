// W5: server end to end, a producer spread over time and 10 subscribers re-asking what they receive.
import { EventBuffer } from '@dispenser/core';
import type { AssignmentStrategy, DemandBuffer, Subscriber } from '@dispenser/core';
import { BatchingBufferServer, BufferServer } from '@dispenser/servers';
import { even, greedy } from '@dispenser/strategies';
import { Effect, Fiber, Queue } from 'effect';
import { Subject, filter } from 'rxjs';
import type { Contender } from '../harness';
import { quantile } from '../harness';
import { expectEqual } from './books';
import { batchesOf } from './events';
import type { Ev } from './events';
import { atMost, deferred, yieldToLoop } from './loop';
import type { Profile } from './profile';
import type { TimedWorkload } from './types';

/** Longest a W5 run may wait for its last events. */
const SERVER_TIMEOUT_MS = 60_000;

/** Records append times per batch and hand-off latencies per event, without per-event closures. */
class LatencyBook {
  readonly appendedAt: Float64Array;
  readonly latencies: Float64Array;
  received = 0;

  constructor(
    events: number,
    readonly batchSize: number,
  ) {
    this.appendedAt = new Float64Array(Math.ceil(events / batchSize));
    this.latencies = new Float64Array(events);
  }

  record(events: readonly Ev[]): void {
    const now = performance.now();
    const at = this.appendedAt;
    const size = this.batchSize;
    const lat = this.latencies;
    let n = this.received;
    for (let k = 0; k < events.length; k++) lat[n++] = now - (at[((events[k] as Ev).i / size) | 0] as number);
    this.received = n;
  }

  percentiles(): Record<string, number> {
    const sorted = this.latencies.subarray(0, this.received).sort();
    return { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
  }
}

/**
 * W5's producer: for each batch, stamps its append time in `book`, hands it to `deliver` and
 * yields to the event loop, as a producer spread over time would.
 */
async function produce(batches: readonly Ev[][], book: LatencyBook, deliver: (batch: Ev[]) => void): Promise<void> {
  for (let b = 0; b < batches.length; b++) {
    book.appendedAt[b] = performance.now();
    deliver(batches[b] as Ev[]);
    await yieldToLoop();
  }
}

interface ServerLike {
  append(events: readonly Ev[]): number;
  ask(subscriber: Subscriber<Ev>, amount: number): void;
  metrics(): { appended: number; dropped: number; delivered: number };
  close(): Promise<void>;
}

/**
 * A dispenser W5 contender: a server made by `make` over an `EventBuffer` with `strategy`, its
 * subscribers re-asking what they receive; `peer` names its like-for-like peer row.
 */
function serverContender(
  p: Profile,
  name: string,
  peer: string,
  strategy: AssignmentStrategy,
  make: (buffer: DemandBuffer<Ev, Subscriber<Ev>>) => ServerLike,
): Contender {
  const { capacity, subscribers, initialDemand, events, batchSize } = p.server;
  return {
    name,
    role: 'dispenser',
    peer,
    prepare() {
      const batches = batchesOf(events, batchSize);
      const buffer = new EventBuffer<Ev, Subscriber<Ev>>({ strategy, capacity, dropStrategy: 'drop-oldest' });
      const server = make(buffer);
      const book = new LatencyBook(events, batchSize);
      let dropped = 0;
      const { promise: finished, resolve: done } = deferred();
      const perSubscriber: number[] = [];
      for (let s = 0; s < subscribers; s++) {
        perSubscriber.push(0);
        const subscriber: Subscriber<Ev> = {
          handleAssignedEvents(received) {
            book.record(received);
            perSubscriber[s] = (perSubscriber[s] as number) + received.length;
            server.ask(subscriber, received.length);
            if (book.received + dropped >= events) done();
          },
        };
        server.ask(subscriber, initialDemand);
      }
      return {
        async run() {
          await produce(batches, book, (batch) => {
            dropped += server.append(batch);
            if (book.received + dropped >= events) done();
          });
          await atMost(finished, SERVER_TIMEOUT_MS);
        },
        check() {
          const metrics = server.metrics();
          void server.close();
          expectEqual('events dropped', dropped, 0);
          expectEqual('events received', book.received, events);
          expectEqual('server appended', metrics.appended, events);
          expectEqual('server delivered', metrics.delivered, events);
          let sum = 0;
          for (const n of perSubscriber) sum += n;
          expectEqual('events received per subscriber, summed', sum, events);
        },
        extras: () => book.percentiles(),
      };
    },
  };
}

/** The name of W5's Effect row whose fibers take up to `maxTake` events at a time. */
export function effectServerName(maxTake: number): string {
  return `effect 4.1.0 Queue.sliding + takeBetween(1, ${maxTake}) fibers`;
}

/**
 * W5's Effect peer: `subscribers` fibers loop on `Queue.takeBetween(queue, 1, maxTake)`, one
 * hand-off per take. With `maxTake` = the initial demand (100) a fiber may take a whole batch
 * at once, as `greedy` hands a batch to one subscriber; with `maxTake` = a batch over the
 * subscribers (10), a batch is handed off in up to ten slices, as `even` splits it.
 */
function serverEffect(p: Profile, maxTake: number): Contender {
  const { capacity, subscribers, events, batchSize } = p.server;
  return {
    name: effectServerName(maxTake),
    role: 'peer',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const queue = Effect.runSync(Queue.sliding<Ev>(capacity));
      const book = new LatencyBook(events, batchSize);
      const { promise: finished, resolve: done } = deferred();
      const taker = Effect.gen(function* () {
        while (book.received < events) {
          const received = yield* Queue.takeBetween(queue, 1, maxTake);
          book.record(received);
          if (book.received >= events) done();
        }
      });
      const fibers: Fiber.Fiber<void>[] = [];
      return {
        async run() {
          for (let s = 0; s < subscribers; s++) fibers.push(Effect.runFork(taker));
          await produce(batches, book, (batch) => Queue.offerAllUnsafe(queue, batch));
          await atMost(finished, SERVER_TIMEOUT_MS);
        },
        check() {
          for (const fiber of fibers) Effect.runFork(Fiber.interrupt(fiber));
          expectEqual('events received', book.received, events);
          expectEqual('events left', Queue.sizeUnsafe(queue), 0);
        },
        extras: () => book.percentiles(),
      };
    },
  };
}

function serverRxjs(p: Profile): Contender {
  const { subscribers, events, batchSize } = p.server;
  return {
    name: 'rxjs 7.8.2 Subject, batches round-robin (no demand, no buffer)',
    role: 'reference',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const subject = new Subject<Ev[]>();
      const book = new LatencyBook(events, batchSize);
      for (let s = 0; s < subscribers; s++) {
        subject.pipe(filter((_batch, index) => index % subscribers === s)).subscribe((received) => book.record(received));
      }
      return {
        run: () => produce(batches, book, (batch) => subject.next(batch)),
        check() {
          subject.complete();
          expectEqual('events received', book.received, events);
        },
        extras: () => book.percentiles(),
      };
    },
  };
}

/** W5's floor: the producer's loop and yields, each batch "received" at once, nothing else. */
function serverFloor(p: Profile): Contender {
  const { events, batchSize } = p.server;
  return {
    name: 'floor: producer loop and yields only',
    role: 'reference',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const book = new LatencyBook(events, batchSize);
      return {
        // Not through produce(): the floor stays the bare loop, without a call per batch.
        async run() {
          for (let b = 0; b < batches.length; b++) {
            book.appendedAt[b] = performance.now();
            book.record(batches[b] as Ev[]);
            await yieldToLoop();
          }
        },
        check: () => expectEqual('events received', book.received, events),
        extras: () => book.percentiles(),
      };
    },
  };
}

/**
 * W5 at the sizes of `p`, with two Effect peers. Each dispenser row names the one it is held to:
 * `BufferServer (even)` splits every batch over the subscribers (ten slices of 10), so its
 * like-for-like peer takes a subscriber's share at a time (`takeBetween(1, 10)`);
 * `BufferServer (greedy)` hands each batch to one subscriber, like a fiber taking up to a whole
 * batch (`takeBetween(1, 100)`). `BatchingBufferServer` is held to `takeBetween(1, 100)` too
 * (fewer, larger hand-offs are its purpose), although with `even` it still splits each batch.
 */
export function serverWorkload(p: Profile): TimedWorkload {
  const { batchSize, subscribers, initialDemand, maxDelay } = p.server;
  const wholeBatch = effectServerName(initialDemand);
  const slice = effectServerName(Math.ceil(batchSize / subscribers));
  return {
    id: 'W5',
    title: 'Server end to end',
    events: p.server.events,
    contenders: [
      serverContender(p, 'dispenser BufferServer (even)', slice, even, (buffer) => new BufferServer<Ev>({ buffer })),
      serverContender(
        p,
        `dispenser BatchingBufferServer (even, ${batchSize}, ${maxDelay} ms)`,
        wholeBatch,
        even,
        (buffer) => new BatchingBufferServer<Ev>({ buffer, batchSize, maxDelay }),
      ),
      serverContender(p, 'dispenser BufferServer (greedy)', wholeBatch, greedy, (buffer) => new BufferServer<Ev>({ buffer })),
      serverEffect(p, initialDemand),
      serverEffect(p, Math.ceil(batchSize / subscribers)),
      serverRxjs(p),
      serverFloor(p),
    ],
  };
}
