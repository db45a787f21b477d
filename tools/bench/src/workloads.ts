// The fixed workloads of BENCH.md (L, W1–W5, M1): dispenser and each peer's closest equivalent.
import { Readable } from 'node:stream';
import { EventBuffer, LimitedQueue } from '@dispenser/core';
import type { AssignmentStrategy, DemandBuffer, Subscriber } from '@dispenser/core';
import { BatchingBufferServer, BufferServer } from '@dispenser/servers';
import { even, greedy } from '@dispenser/strategies';
import Denque from 'denque';
import { Effect, Exit, Fiber, Queue } from 'effect';
import { CircularBuffer } from 'mnemonist';
import { Subject, filter } from 'rxjs';
import type { Contender, MemoryContender, Role, RoundOptions } from './harness';
import { quantile } from './harness';

/** A benchmark event: a small object created before timing starts. */
export interface Ev {
  readonly i: number;
}

/** Sizes of every workload; BENCH.md's are {@link fullProfile}. */
export interface Profile {
  readonly name: string;
  /** Rounds of the timed workloads (L, W1, W2, W3, W5). */
  readonly rounds: RoundOptions;
  /** Rounds of W4 and M1 (each run rebuilds a large structure). */
  readonly heavyRounds: RoundOptions;
  /** L and W1: `batches` times push a batch of `batchSize`, then take `batchSize`. */
  readonly churn: { readonly batches: number; readonly batchSize: number; readonly capacity: number };
  /** W2: `rounds` times append `batchSize`, assign, re-ask. */
  readonly dispatch: {
    readonly capacity: number;
    readonly subscribers: number;
    readonly demand: number;
    readonly rounds: number;
    readonly batchSize: number;
  };
  /** W3: `events` appended in batches of `batchSize` into `capacity`, no demand. */
  readonly overload: { readonly capacity: number; readonly events: number; readonly batchSize: number };
  /** W4: subscriber counts crossed with buffered event counts. */
  readonly many: { readonly subscribers: readonly number[]; readonly events: readonly number[] };
  /** W5: server end to end. */
  readonly server: {
    readonly capacity: number;
    readonly subscribers: number;
    readonly initialDemand: number;
    readonly events: number;
    readonly batchSize: number;
    readonly maxDelay: number;
  };
  /** M1: values held in a queue of that capacity. */
  readonly memory: { readonly events: number };
}

/** The sizes of BENCH.md. */
export const fullProfile: Profile = {
  name: 'full',
  rounds: { warmup: 3, runs: 11 },
  heavyRounds: { warmup: 2, runs: 9 },
  churn: { batches: 10_000, batchSize: 100, capacity: 10_000 },
  dispatch: { capacity: 100_000, subscribers: 100, demand: 10, rounds: 1_000, batchSize: 1_000 },
  overload: { capacity: 1_000, events: 1_000_000, batchSize: 100 },
  many: { subscribers: [1_000, 10_000, 100_000], events: [500_000, 1_000] },
  server: { capacity: 100_000, subscribers: 10, initialDemand: 100, events: 1_000_000, batchSize: 100, maxDelay: 5 },
  memory: { events: 1_000_000 },
};

/** A tenth of the sizes (a hundredth for W4's events), for a smoke run well under a minute. */
export const quickProfile: Profile = {
  name: 'quick',
  rounds: { warmup: 2, runs: 5 },
  heavyRounds: { warmup: 1, runs: 5 },
  churn: { batches: 1_000, batchSize: 100, capacity: 10_000 },
  dispatch: { capacity: 100_000, subscribers: 100, demand: 10, rounds: 100, batchSize: 1_000 },
  overload: { capacity: 1_000, events: 100_000, batchSize: 100 },
  many: { subscribers: [1_000, 10_000, 100_000], events: [50_000, 1_000] },
  server: { capacity: 100_000, subscribers: 10, initialDemand: 100, events: 100_000, batchSize: 100, maxDelay: 5 },
  memory: { events: 100_000 },
};

/** Tiny sizes for the smoke test: every code path, a few milliseconds each. */
export const tinyProfile: Profile = {
  name: 'tiny',
  rounds: { warmup: 1, runs: 5 },
  heavyRounds: { warmup: 0, runs: 5 },
  churn: { batches: 50, batchSize: 100, capacity: 10_000 },
  dispatch: { capacity: 100_000, subscribers: 100, demand: 10, rounds: 5, batchSize: 1_000 },
  overload: { capacity: 1_000, events: 10_000, batchSize: 100 },
  many: { subscribers: [100, 1_000], events: [5_000, 100] },
  server: { capacity: 100_000, subscribers: 10, initialDemand: 100, events: 2_000, batchSize: 100, maxDelay: 5 },
  memory: { events: 10_000 },
};

/** A timed workload: its contenders are interleaved round by round. */
export interface TimedWorkload {
  readonly id: string;
  readonly title: string;
  /** Events each run moves (the numerator of events/s). */
  readonly events: number;
  readonly contenders: Contender[];
}

/** One W4 case: one `assignEvents()` over `subscribers` subscribers and `events` buffered events. */
export interface ManyCase {
  readonly strategy: string;
  readonly subscribers: number;
  readonly events: number;
  readonly contender: Contender;
}

// ---------------------------------------------------------------------------------------------
// Events, made once and shared (read-only) by every run.

let sharedEvents: Ev[] = [];

/** The first `count` events `{ i }`, created once. */
export function eventsOf(count: number): Ev[] {
  if (sharedEvents.length < count) {
    const events = new Array<Ev>(count);
    for (let i = 0; i < count; i++) events[i] = { i };
    sharedEvents = events;
  }
  return sharedEvents.length === count ? sharedEvents : sharedEvents.slice(0, count);
}

const batchCache = new Map<string, Ev[][]>();

/** `count` events cut into consecutive batches of `size`, created once. */
export function batchesOf(count: number, size: number): Ev[][] {
  const key = `${count}/${size}`;
  let batches = batchCache.get(key);
  if (batches === undefined) {
    const events = eventsOf(count);
    batches = [];
    for (let start = 0; start < count; start += size) batches.push(events.slice(start, start + size));
    batchCache.set(key, batches);
  }
  return batches;
}

function expectEqual(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what} is ${actual}, expected ${expected}`);
}

// ---------------------------------------------------------------------------------------------
// L: the limit, a hand-written power-of-two ring of pointers.

/** The raw ring of L: no validation, no drop strategy, no growth. */
export class RawRing<T> {
  readonly slots: (T | undefined)[];
  readonly mask: number;
  head = 0;
  size = 0;

  constructor(minimumSlots: number) {
    let length = 1;
    while (length < minimumSlots) length *= 2;
    this.slots = new Array<T | undefined>(length).fill(undefined);
    this.mask = length - 1;
  }
}

function limitChurn(p: Profile): Contender {
  const { batches: count, batchSize } = p.churn;
  return {
    name: 'raw ring (L)',
    role: 'limit',
    prepare() {
      const batches = batchesOf(count * batchSize, batchSize);
      const ring = new RawRing<Ev>(batchSize);
      let taken = 0;
      let last = -1;
      return {
        run() {
          const slots = ring.slots;
          const mask = ring.mask;
          for (let b = 0; b < count; b++) {
            const batch = batches[b] as Ev[];
            let tail = (ring.head + ring.size) & mask;
            for (let k = 0; k < batchSize; k++) {
              slots[tail] = batch[k];
              tail = (tail + 1) & mask;
            }
            ring.size += batchSize;
            const out = new Array<Ev>(batchSize);
            let head = ring.head;
            for (let k = 0; k < batchSize; k++) {
              out[k] = slots[head] as Ev;
              slots[head] = undefined;
              head = (head + 1) & mask;
            }
            ring.head = head;
            ring.size -= batchSize;
            taken += out.length;
            last = (out[batchSize - 1] as Ev).i;
          }
        },
        check() {
          expectEqual('events taken', taken, count * batchSize);
          expectEqual('last event taken', last, count * batchSize - 1);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// W1: queue churn.

function churnBooks(p: Profile, taken: number, last: number, left: number): void {
  const total = p.churn.batches * p.churn.batchSize;
  expectEqual('events taken', taken, total);
  expectEqual('last event taken', last, total - 1);
  expectEqual('events left', left, 0);
}

/** What a W1 contender has taken so far: counted once per batch by its timed loop. */
class ChurnTally {
  taken = 0;
  last = -1;

  /**
   * Counts a batch of `length` events taken from the front of the queue, the last of them
   * numbered `last`. (The contender reads its own array, so that load stays monomorphic.)
   */
  add(length: number, last: number): void {
    this.taken += length;
    this.last = last;
  }
}

/** One prepared W1 run: its timed loop (each contender's own, so it stays monomorphic) and what is left. */
interface ChurnRun {
  run(): void;
  /** Events the queue still holds after the run. */
  left(): number;
}

/**
 * A W1 contender: `setup` builds a queue of `capacity` and the loop that, for each of `batches`,
 * pushes the batch, takes `batchSize` back and reports them to `tally`; {@link churnBooks} checks it.
 */
function churnContender(
  p: Profile,
  name: string,
  role: Role,
  setup: (batches: readonly Ev[][], tally: ChurnTally) => ChurnRun,
): Contender {
  const { batches: count, batchSize } = p.churn;
  return {
    name,
    role,
    prepare() {
      const tally = new ChurnTally();
      const trial = setup(batchesOf(count * batchSize, batchSize), tally);
      return { run: trial.run, check: () => churnBooks(p, tally.taken, tally.last, trial.left()) };
    },
  };
}

function churnLimitedQueue(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'dispenser LimitedQueue', 'dispenser', (batches, tally) => {
    const queue = new LimitedQueue<Ev>(capacity, 'drop-oldest');
    return {
      run() {
        for (let b = 0; b < count; b++) {
          queue.append(batches[b] as Ev[]);
          const out = queue.split(batchSize);
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => queue.size,
    };
  });
}

function churnDenque(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'denque 2.1.0', 'peer', (batches, tally) => {
    const queue = new Denque<Ev>([], { capacity });
    return {
      run() {
        for (let b = 0; b < count; b++) {
          const batch = batches[b] as Ev[];
          for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
          const out = queue.remove(0, batchSize);
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => queue.size(),
    };
  });
}

function churnMnemonist(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'mnemonist 0.40.8 CircularBuffer', 'peer', (batches, tally) => {
    const queue = new CircularBuffer<Ev>(Array, capacity);
    return {
      run() {
        for (let b = 0; b < count; b++) {
          const batch = batches[b] as Ev[];
          for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
          const n = Math.min(batchSize, queue.size);
          const out = new Array<Ev>(n);
          for (let k = 0; k < n; k++) out[k] = queue.shift() as Ev;
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => queue.size,
    };
  });
}

function takeEffect(queue: Queue.Queue<Ev>, amount: number): Ev[] {
  const out: Ev[] = [];
  for (let k = 0; k < amount; k++) {
    const exit = Queue.takeUnsafe(queue);
    if (exit === undefined || !Exit.isSuccess(exit)) break;
    out.push(exit.value);
  }
  return out;
}

function churnEffect(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'effect 4.1.0 Queue.sliding', 'peer', (batches, tally) => {
    const queue = Effect.runSync(Queue.sliding<Ev>(capacity));
    return {
      run() {
        for (let b = 0; b < count; b++) {
          Queue.offerAllUnsafe(queue, batches[b] as Ev[]);
          const out = takeEffect(queue, batchSize);
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => Queue.sizeUnsafe(queue),
    };
  });
}

function churnReadable(p: Profile): Contender {
  const { batches: count, batchSize, capacity } = p.churn;
  return churnContender(p, 'node:stream Readable (objectMode)', 'peer', (batches, tally) => {
    const stream = new Readable({
      objectMode: true,
      highWaterMark: capacity,
      read() {
        // The bench pushes; nothing to pull.
      },
    });
    return {
      run() {
        for (let b = 0; b < count; b++) {
          const batch = batches[b] as Ev[];
          for (let k = 0; k < batch.length; k++) stream.push(batch[k]);
          const out: Ev[] = [];
          for (let k = 0; k < batchSize; k++) {
            const value = stream.read() as Ev | null;
            if (value === null) break;
            out.push(value);
          }
          tally.add(out.length, (out[out.length - 1] as Ev).i);
        }
      },
      left: () => stream.readableLength,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// W2: buffer dispatch.

interface BenchSubscriber {
  readonly id: number;
}

function subscribersOf(count: number): BenchSubscriber[] {
  const out: BenchSubscriber[] = [];
  for (let id = 0; id < count; id++) out.push({ id });
  return out;
}

function dispatchBooks(p: Profile, assigned: number, buffered: number, demand: number): void {
  const { rounds, batchSize, subscribers, demand: ask } = p.dispatch;
  const total = rounds * batchSize;
  const perRound = Math.min(batchSize, subscribers * ask);
  expectEqual('events assigned', assigned, rounds * perRound);
  expectEqual('events appended', assigned + buffered, total);
  expectEqual('outstanding demand', demand, subscribers * ask);
}

function dispatchEventBuffer(p: Profile, strategy: AssignmentStrategy, label: string): Contender {
  const { capacity, subscribers, demand, rounds, batchSize } = p.dispatch;
  return {
    name: `dispenser EventBuffer (${label})`,
    role: 'dispenser',
    prepare() {
      const batches = batchesOf(rounds * batchSize, batchSize);
      const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy, capacity, dropStrategy: 'drop-oldest' });
      for (const subscriber of subscribersOf(subscribers)) buffer.ask(subscriber, demand);
      let assigned = 0;
      return {
        run() {
          for (let r = 0; r < rounds; r++) {
            buffer.append(batches[r] as Ev[]);
            const pairs = buffer.assignEvents();
            for (let k = 0; k < pairs.length; k++) {
              const [subscriber, events] = pairs[k] as [BenchSubscriber, Ev[]];
              assigned += events.length;
              buffer.ask(subscriber, events.length);
            }
          }
        },
        check() {
          const stats = buffer.stats();
          dispatchBooks(p, assigned, stats.buffered, stats.demand);
        },
      };
    },
  };
}

function dispatchEffect(p: Profile): Contender {
  const { capacity, subscribers, demand, rounds, batchSize } = p.dispatch;
  return {
    name: 'effect 4.1.0 Queue.sliding, takers in turn',
    role: 'peer',
    prepare() {
      const batches = batchesOf(rounds * batchSize, batchSize);
      const queue = Effect.runSync(Queue.sliding<Ev>(capacity));
      const demands = new Array<number>(subscribers).fill(demand);
      let assigned = 0;
      return {
        run() {
          for (let r = 0; r < rounds; r++) {
            Queue.offerAllUnsafe(queue, batches[r] as Ev[]);
            for (let t = 0; t < subscribers; t++) {
              const events = takeEffect(queue, demands[t] as number);
              assigned += events.length;
              // The taker got k and asks k again: its demand stays where it was.
            }
          }
        },
        check() {
          let outstanding = 0;
          for (const d of demands) outstanding += d;
          dispatchBooks(p, assigned, Queue.sizeUnsafe(queue), outstanding);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// W3: overload (no demand, the buffer fills and drops).

function overloadBooks(p: Profile, appended: number, dropped: number, buffered: number): void {
  const { events, capacity } = p.overload;
  expectEqual('events appended', appended, events);
  expectEqual('events dropped', dropped, events - capacity);
  expectEqual('events buffered', buffered, capacity);
}

function overloadEventBuffer(p: Profile, dropStrategy: 'drop-newest' | 'drop-oldest'): Contender {
  const { events, capacity, batchSize } = p.overload;
  return {
    name: 'dispenser EventBuffer',
    role: 'dispenser',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy: even, capacity, dropStrategy });
      let dropped = 0;
      return {
        run() {
          for (let b = 0; b < batches.length; b++) dropped += buffer.append(batches[b] as Ev[]);
        },
        check: () => overloadBooks(p, events, dropped, buffer.size),
      };
    },
  };
}

/**
 * W3's O(1) claim in isolation: a buffer already full with `'drop-newest'` rejects ten times as
 * many batches as W3 appends, of `batchSize` events each; the time per rejected batch must not
 * grow with `batchSize`.
 */
function rejectContender(p: Profile, library: 'dispenser' | 'effect', batchSize: number): Contender {
  const { capacity } = p.overload;
  const count = 10 * Math.ceil(p.overload.events / p.overload.batchSize);
  const events = count * batchSize;
  return {
    name: `${library === 'dispenser' ? 'dispenser EventBuffer' : 'effect 4.1.0 Queue.dropping'}, batches of ${batchSize.toLocaleString('en-US')}`,
    role: library === 'dispenser' ? 'dispenser' : 'peer',
    events,
    prepare() {
      const batch = eventsOf(batchSize);
      const full = eventsOf(capacity);
      let dropped = 0;
      let size: () => number;
      let append: () => void;
      if (library === 'dispenser') {
        const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy: even, capacity, dropStrategy: 'drop-newest' });
        buffer.append(full);
        size = () => buffer.size;
        append = () => {
          for (let b = 0; b < count; b++) dropped += buffer.append(batch);
        };
      } else {
        const queue = Effect.runSync(Queue.dropping<Ev>(capacity));
        Queue.offerAllUnsafe(queue, full);
        size = () => Queue.sizeUnsafe(queue);
        append = () => {
          for (let b = 0; b < count; b++) dropped += Queue.offerAllUnsafe(queue, batch).length;
        };
      }
      return {
        run: append,
        check() {
          expectEqual('events rejected', dropped, events);
          expectEqual('events buffered', size(), capacity);
        },
        extras: () => ({ batches: count }),
      };
    },
  };
}

/**
 * A W3 drop-oldest peer whose queue overwrites its oldest value when full without reporting it:
 * `push` appends one batch (its per-event loop stays each contender's own); what was pushed but
 * is no longer held was dropped.
 */
function overloadOverwriting<Q>(
  p: Profile,
  name: string,
  create: (capacity: number) => Q,
  push: (queue: Q, batch: Ev[]) => void,
  size: (queue: Q) => number,
): Contender {
  const { events, capacity, batchSize } = p.overload;
  return {
    name,
    role: 'peer',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const queue = create(capacity);
      let appended = 0;
      return {
        run() {
          for (let b = 0; b < batches.length; b++) {
            const batch = batches[b] as Ev[];
            push(queue, batch);
            appended += batch.length;
          }
        },
        check: () => overloadBooks(p, appended, appended - size(queue), size(queue)),
      };
    },
  };
}

function overloadDenque(p: Profile): Contender {
  return overloadOverwriting(
    p,
    'denque 2.1.0 (capacity)',
    (capacity) => new Denque<Ev>([], { capacity }),
    (queue, batch) => {
      for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
    },
    (queue) => queue.size(),
  );
}

function overloadMnemonist(p: Profile): Contender {
  return overloadOverwriting(
    p,
    'mnemonist 0.40.8 CircularBuffer',
    (capacity) => new CircularBuffer<Ev>(Array, capacity),
    (queue, batch) => {
      for (let k = 0; k < batch.length; k++) queue.push(batch[k] as Ev);
    },
    (queue) => queue.size,
  );
}

function overloadEffect(p: Profile, strategy: 'dropping' | 'sliding'): Contender {
  const { events, capacity, batchSize } = p.overload;
  return {
    name: `effect 4.1.0 Queue.${strategy}`,
    role: 'peer',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const queue = Effect.runSync(strategy === 'dropping' ? Queue.dropping<Ev>(capacity) : Queue.sliding<Ev>(capacity));
      let appended = 0;
      let rejected = 0;
      return {
        run() {
          for (let b = 0; b < batches.length; b++) {
            const batch = batches[b] as Ev[];
            rejected += Queue.offerAllUnsafe(queue, batch).length;
            appended += batch.length;
          }
        },
        check() {
          const size = Queue.sizeUnsafe(queue);
          if (strategy === 'dropping') expectEqual('events rejected', rejected, appended - size);
          overloadBooks(p, appended, appended - size, size);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// W4: many subscribers, one assignEvents().

/** What subscriber `i` asks for in W4. */
export function manyDemand(i: number): number {
  return ((i * 7919) % 100) + 1;
}

function manyContender(strategy: AssignmentStrategy, subscribers: number, events: number): Contender {
  return {
    name: `${strategy.name} S=${subscribers} E=${events}`,
    role: 'dispenser',
    prepare() {
      const batch = eventsOf(events);
      const buffer = new EventBuffer<Ev, BenchSubscriber>({ strategy, capacity: events, dropStrategy: 'drop-oldest' });
      buffer.append(batch);
      let demand = 0;
      const people = subscribersOf(subscribers);
      for (let i = 0; i < subscribers; i++) {
        buffer.ask(people[i] as BenchSubscriber, manyDemand(i));
        demand += manyDemand(i);
      }
      let assigned = 0;
      let pairs = 0;
      return {
        run() {
          const out = buffer.assignEvents();
          pairs = out.length;
          for (let k = 0; k < out.length; k++) assigned += (out[k] as [BenchSubscriber, Ev[]])[1].length;
        },
        check() {
          expectEqual('events assigned', assigned, Math.min(events, demand));
          expectEqual('events assigned + buffered', assigned + buffer.size, events);
          expectEqual('demand met + outstanding', assigned + buffer.stats().demand, demand);
          if (pairs > subscribers) throw new Error(`${pairs} pairs for ${subscribers} subscribers`);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// W5: server end to end.

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Waits for `promise`, but at most `ms` milliseconds: a run that would never finish ends, and its
 * books (events received) then say what was missing.
 */
async function atMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise, timeout]);
  clearTimeout(timer);
}

/** Longest a W5 run may wait for its last events. */
const SERVER_TIMEOUT_MS = 60_000;

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

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

function serverContender(
  p: Profile,
  name: string,
  strategy: AssignmentStrategy,
  make: (buffer: DemandBuffer<Ev, Subscriber<Ev>>) => ServerLike,
): Contender {
  const { capacity, subscribers, initialDemand, events, batchSize } = p.server;
  return {
    name,
    role: 'dispenser',
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

function serverEffect(p: Profile): Contender {
  const { capacity, subscribers, initialDemand, events, batchSize } = p.server;
  return {
    name: 'effect 4.1.0 Queue.sliding + takeBetween fibers',
    role: 'peer',
    prepare() {
      const batches = batchesOf(events, batchSize);
      const queue = Effect.runSync(Queue.sliding<Ev>(capacity));
      const book = new LatencyBook(events, batchSize);
      const { promise: finished, resolve: done } = deferred();
      const taker = Effect.gen(function* () {
        while (book.received < events) {
          const received = yield* Queue.takeBetween(queue, 1, initialDemand);
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

// ---------------------------------------------------------------------------------------------
// M1: memory per buffered small-integer event.

function integerBatches(count: number, size: number): number[][] {
  const out: number[][] = [];
  for (let start = 0; start < count; start += size) {
    const batch: number[] = [];
    for (let i = start; i < Math.min(count, start + size); i++) batch.push(i);
    out.push(batch);
  }
  return out;
}

function memoryContenders(p: Profile): MemoryContender[] {
  const count = p.memory.events;
  const batches = integerBatches(count, 1_000);
  /** A contender whose `build` holds `count` values, which `size` reads back for the check. */
  const contender = <T>(name: string, role: Role, build: () => T, size: (built: T) => number): MemoryContender => ({
    name,
    role,
    count,
    build,
    check: (built) => expectEqual('values held', size(built as T), count),
  });
  return [
    contender(
      'raw ring (L)',
      'limit',
      () => {
        const ring = new RawRing<number>(count);
        for (let i = 0; i < count; i++) ring.slots[i] = i;
        ring.size = count;
        return ring;
      },
      (ring) => ring.size,
    ),
    contender(
      'dispenser LimitedQueue',
      'dispenser',
      () => {
        const queue = new LimitedQueue<number>(count);
        for (const batch of batches) queue.append(batch);
        return queue;
      },
      (queue) => queue.size,
    ),
    contender(
      'denque 2.1.0',
      'peer',
      () => {
        const queue = new Denque<number>([], { capacity: count });
        for (const batch of batches) for (const value of batch) queue.push(value);
        return queue;
      },
      (queue) => queue.size(),
    ),
    contender(
      'mnemonist 0.40.8 CircularBuffer',
      'peer',
      () => {
        const queue = new CircularBuffer<number>(Array, count);
        for (const batch of batches) for (const value of batch) queue.push(value);
        return queue;
      },
      (queue) => queue.size,
    ),
    contender(
      'effect 4.1.0 Queue.sliding',
      'peer',
      () => {
        const queue = Effect.runSync(Queue.sliding<number>(count));
        for (const batch of batches) Queue.offerAllUnsafe(queue, batch);
        return queue;
      },
      (queue) => Queue.sizeUnsafe(queue),
    ),
    contender(
      'node:stream Readable (objectMode)',
      'peer',
      () => {
        const stream = new Readable({
          objectMode: true,
          highWaterMark: count,
          read() {
            // The bench pushes; nothing to pull.
          },
        });
        for (const batch of batches) for (const value of batch) stream.push(value);
        return stream;
      },
      (stream) => stream.readableLength,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// The suite.

/** Everything to run for a profile. */
export interface Suite {
  readonly timed: TimedWorkload[];
  readonly many: ManyCase[];
  readonly memory: MemoryContender[];
}

/** The workloads of BENCH.md at the sizes of `p`. */
export function suite(p: Profile): Suite {
  const churnEvents = p.churn.batches * p.churn.batchSize;
  const timed: TimedWorkload[] = [
    {
      id: 'W1',
      title: 'Queue churn (L runs in the same rounds)',
      events: churnEvents,
      contenders: [limitChurn(p), churnLimitedQueue(p), churnDenque(p), churnMnemonist(p), churnEffect(p), churnReadable(p)],
    },
    {
      id: 'W2',
      title: 'Buffer dispatch, events assigned',
      events: p.dispatch.rounds * Math.min(p.dispatch.batchSize, p.dispatch.subscribers * p.dispatch.demand),
      contenders: [dispatchEventBuffer(p, even, 'even'), dispatchEventBuffer(p, greedy, 'greedy'), dispatchEffect(p)],
    },
    {
      id: 'W3 drop-newest',
      title: 'Overload, drop-newest',
      events: p.overload.events,
      contenders: [overloadEventBuffer(p, 'drop-newest'), overloadEffect(p, 'dropping')],
    },
    {
      id: 'W3 rejected',
      title: 'Overload, drop-newest, rejected batches only (already full)',
      events: p.overload.events,
      contenders: [
        rejectContender(p, 'dispenser', p.overload.batchSize),
        rejectContender(p, 'dispenser', p.overload.batchSize * 100),
        rejectContender(p, 'effect', p.overload.batchSize),
        rejectContender(p, 'effect', p.overload.batchSize * 100),
      ],
    },
    {
      id: 'W3 drop-oldest',
      title: 'Overload, drop-oldest',
      events: p.overload.events,
      contenders: [
        overloadEventBuffer(p, 'drop-oldest'),
        overloadDenque(p),
        overloadMnemonist(p),
        overloadEffect(p, 'sliding'),
      ],
    },
    {
      id: 'W5',
      title: 'Server end to end',
      events: p.server.events,
      contenders: [
        serverContender(p, 'dispenser BufferServer (even)', even, (buffer) => new BufferServer<Ev>({ buffer })),
        serverContender(
          p,
          `dispenser BatchingBufferServer (even, ${p.server.batchSize}, ${p.server.maxDelay} ms)`,
          even,
          (buffer) => new BatchingBufferServer<Ev>({ buffer, batchSize: p.server.batchSize, maxDelay: p.server.maxDelay }),
        ),
        serverContender(p, 'dispenser BufferServer (greedy)', greedy, (buffer) => new BufferServer<Ev>({ buffer })),
        serverEffect(p),
        serverRxjs(p),
        serverFloor(p),
      ],
    },
  ];
  const many: ManyCase[] = [];
  for (const strategy of [even, greedy]) {
    for (const events of p.many.events) {
      for (const subscribers of p.many.subscribers) {
        many.push({ strategy: strategy.name, subscribers, events, contender: manyContender(strategy, subscribers, events) });
      }
    }
  }
  return { timed, many, memory: memoryContenders(p) };
}
