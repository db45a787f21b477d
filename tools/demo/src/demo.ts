// The demo itself: a bursty producer, a server and 4 workers of different speeds, with its own books.
import { DispatchingBuffer, EventBuffer, systemClock } from '@dispenser/core';
import type { Clock, DemandBuffer, DropStrategy, Subscriber } from '@dispenser/core';
import { BatchingBufferServer, BufferServer } from '@dispenser/servers';
import { BroadcastDispatcher, createEven, createGreedy, DemandDispatcher, PartitionDispatcher } from '@dispenser/strategies';
import { createSeededRandom } from '@dispenser/testing-utils';
import { BurstyLoad } from './bursty-load';
import type { LoadPhase } from './bursty-load';
import type { DemoOptions } from './options';

/** What the producer appends: a number, in order. */
export interface DemoEvent {
  readonly id: number;
}

/** A worker of the demo: its name and how many events it handles per second. */
export interface WorkerSpec {
  readonly name: string;
  readonly speed: number;
}

/** The four workers: each 2 to 4 times slower than the one before. */
export const workerSpecs: readonly WorkerSpec[] = [
  { name: 'fast', speed: 4_000 },
  { name: 'steady', speed: 2_000 },
  { name: 'slow', speed: 1_000 },
  { name: 'sluggish', speed: 250 },
];

/** Milliseconds between two steps of the simulation. */
const TICK_MS = 10;
/** A worker holds at most this many milliseconds of work (received but not yet handled). */
const WINDOW_MS = 100;
/** Batch size and delay of `--batch`. */
export const batching = { batchSize: 50, maxDelay: 25 } as const;

/**
 * A subscriber that works at a fixed speed and asks for more as it finishes: its outstanding
 * demand plus the events it holds always make its window.
 */
class Worker implements Subscriber<DemoEvent> {
  /** Events handed to this worker. */
  delivered = 0;
  /** Events it has finished. */
  processed = 0;
  /** Events handed to it and not finished yet. */
  holding = 0;
  #budget = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly speed: number,
    readonly window: number,
  ) {}

  handleAssignedEvents(events: DemoEvent[]): void {
    this.delivered += events.length;
    this.holding += events.length;
  }

  /** Works for `elapsed` ms; returns how many events it finished. */
  work(elapsed: number): number {
    this.#budget = Math.min(this.#budget + (this.speed * elapsed) / 1000, this.window);
    const done = Math.min(this.holding, Math.floor(this.#budget));
    this.#budget -= done;
    this.holding -= done;
    this.processed += done;
    return done;
  }
}

/** Per-worker figures of a snapshot or the summary. */
export interface WorkerFigures {
  readonly name: string;
  /** Events per second it can handle. */
  readonly speed: number;
  readonly delivered: number;
  readonly processed: number;
  /** Events delivered to it per second over the last second. */
  readonly rate: number;
}

/** What the live view shows. */
export interface Snapshot {
  /** Milliseconds since the start. */
  readonly elapsed: number;
  readonly duration: number;
  readonly options: DemoOptions;
  /** `overloaded` while more events wait than there is demand for, `normal` otherwise. */
  readonly mode: 'normal' | 'overloaded';
  readonly phase: LoadPhase;
  /** The producer's current rate, events per second. */
  readonly producerRate: number;
  readonly buffered: number;
  readonly capacity: number;
  /** Outstanding demand of all workers. */
  readonly demand: number;
  readonly appended: number;
  readonly dropped: number;
  readonly workers: readonly WorkerFigures[];
}

/** One line of the books: `appended = delivered + dropped + buffered`, for everyone or one worker. */
export interface BooksLine {
  /** `undefined` for the whole server; a worker's name for broadcast. */
  readonly worker: string | undefined;
  readonly appended: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly buffered: number;
  readonly balanced: boolean;
}

/** The end of a run. */
export interface Summary {
  readonly last: Snapshot;
  /** What the server counted (`metrics()`), next to the demo's own counts. */
  readonly metrics: { appended: number; dropped: number; delivered: number; failed: number };
  readonly books: readonly BooksLine[];
  /** Whether every line of the books balances and the server's counters agree. */
  readonly balanced: boolean;
}

/** How a run reports while it goes. */
export interface RunHooks {
  /** Milliseconds between snapshots. */
  readonly every: number;
  readonly onSnapshot: (snapshot: Snapshot) => void;
  /** Aborting ends the run early (with its summary). */
  readonly signal?: AbortSignal;
  /**
   * Source of time and timers.
   * @default systemClock
   */
  readonly clock?: Clock;
}

type AnyServer = BufferServer<DemoEvent> | BatchingBufferServer<DemoEvent>;

function dropStrategyOf(options: DemoOptions): DropStrategy {
  return options.drop === 'newest' ? 'drop-newest' : 'drop-oldest';
}

/** The buffer for `--strategy`: an `EventBuffer` for even/greedy, a `DispatchingBuffer` otherwise. */
function bufferFor(options: DemoOptions, random: () => number, maxDemand: number): DemandBuffer<DemoEvent, Subscriber<DemoEvent>> {
  const capacity = options.capacity;
  const dropStrategy = dropStrategyOf(options);
  switch (options.strategy) {
    case 'even':
      return new EventBuffer({ strategy: createEven({ random }), capacity, dropStrategy });
    case 'greedy':
      return new EventBuffer({ strategy: createGreedy({ random }), capacity, dropStrategy });
    case 'demand':
      return new DispatchingBuffer<DemoEvent, Subscriber<DemoEvent>>({
        dispatcher: (send) => new DemandDispatcher(send, { shuffleDemandsOnFirstDispatch: true, maxDemand, random }),
        capacity,
        dropStrategy,
      });
    case 'broadcast':
      return new DispatchingBuffer<DemoEvent, Subscriber<DemoEvent>>({
        dispatcher: (send) => new BroadcastDispatcher(send),
        capacity,
        dropStrategy,
      });
    case 'partition':
      return new DispatchingBuffer<DemoEvent, Subscriber<DemoEvent>>({
        dispatcher: (send) =>
          new PartitionDispatcher<DemoEvent, Subscriber<DemoEvent>, number>(send, {
            partitions: workerSpecs.length,
            hash: (event) => [event, event.id % workerSpecs.length],
          }),
        capacity,
        dropStrategy,
        subscribeOptions: (subscriber) => ({ partition: (subscriber as Worker).index }),
      });
  }
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Runs the demo for `options.duration` seconds (or until `hooks.signal` aborts), reporting a
 * snapshot every `hooks.every` ms, and returns the summary with the books checked.
 */
export async function runDemo(options: DemoOptions, hooks: RunHooks): Promise<Summary> {
  const clock = hooks.clock ?? systemClock;
  // The strategies' random choices come from their own stream, apart from the load's (mod 2^32:
  // the generator only uses the low 32 bits, and the sum may leave the safe range).
  const random = createSeededRandom((options.seed + 0x2545f491) % 2 ** 32);
  const workers = workerSpecs.map((spec, index) => new Worker(index, spec.name, spec.speed, Math.max(10, (spec.speed * WINDOW_MS) / 1000)));
  const buffer = bufferFor(options, random, Math.max(...workers.map((w) => w.window)));
  const server: AnyServer = options.batch
    ? new BatchingBufferServer<DemoEvent>({ buffer, ...batching, clock })
    : new BufferServer<DemoEvent>({ buffer });
  const throughput = workers.reduce((sum, w) => sum + w.speed, 0);
  const load = new BurstyLoad({ throughput, seed: options.seed });
  const duration = options.duration * 1000;

  let appended = 0;
  let dropped = 0;
  let nextId = 0;
  for (const worker of workers) server.ask(worker, worker.window);

  // Delivered counts a second ago, for the rates.
  const history: Array<{ at: number; delivered: number[] }> = [];
  const snapshot = (elapsed: number): Snapshot => {
    const delivered = workers.map((w) => w.delivered);
    history.push({ at: elapsed, delivered });
    while (history.length > 1 && elapsed - (history[1] as { at: number }).at >= 1000) history.shift();
    const past = history[0] as { at: number; delivered: number[] };
    const span = Math.max(elapsed - past.at, 1) / 1000;
    const stats = server.stats();
    return {
      elapsed,
      duration,
      options,
      mode: stats.buffered > stats.demand ? 'overloaded' : 'normal',
      phase: load.phase,
      producerRate: load.rate,
      buffered: stats.buffered,
      capacity: options.capacity,
      demand: stats.demand,
      appended,
      dropped,
      workers: workers.map((w, i) => ({
        name: w.name,
        speed: w.speed,
        delivered: w.delivered,
        processed: w.processed,
        rate: (w.delivered - (past.delivered[i] as number)) / span,
      })),
    };
  };

  const start = clock.now();
  let last = start;
  let lastSnapshot = 0;
  for (;;) {
    await sleep(clock, TICK_MS);
    const now = clock.now();
    const elapsed = Math.min(now - start, duration);
    const step = now - last;
    last = now;
    for (const worker of workers) {
      const done = worker.work(step);
      if (done > 0) server.ask(worker, done);
    }
    const count = load.take(elapsed, step);
    if (count > 0) {
      const events = new Array<DemoEvent>(count);
      for (let k = 0; k < count; k++) events[k] = { id: nextId++ };
      appended += count;
      dropped += server.append(events);
    }
    const finished = elapsed >= duration || hooks.signal?.aborted === true;
    if (finished) break;
    if (elapsed - lastSnapshot >= hooks.every) {
      lastSnapshot = elapsed;
      hooks.onSnapshot(snapshot(elapsed));
    }
  }

  // Delivery is synchronous, so the counts are consistent here; read them before closing.
  const final = snapshot(Math.min(clock.now() - start, duration));
  hooks.onSnapshot(final);
  const metrics = server.metrics();
  const books = checkBooks(options, final);
  await server.close();
  const balanced =
    books.every((line) => line.balanced) &&
    metrics.appended === final.appended &&
    metrics.dropped === final.dropped &&
    metrics.failed === 0;
  return { last: final, metrics, books, balanced };
}

/**
 * The books of a snapshot: `appended = delivered + dropped + buffered`, summed over the workers
 * when each event goes to one of them, per worker for broadcast (every event goes to each).
 */
export function checkBooks(options: Pick<DemoOptions, 'strategy'>, snapshot: Pick<Snapshot, 'appended' | 'dropped' | 'buffered' | 'workers'>): BooksLine[] {
  const { appended, dropped, buffered } = snapshot;
  const line = (worker: string | undefined, delivered: number): BooksLine => ({
    worker,
    appended,
    delivered,
    dropped,
    buffered,
    balanced: appended === delivered + dropped + buffered,
  });
  if (options.strategy === 'broadcast') return snapshot.workers.map((w) => line(w.name, w.delivered));
  return [line(undefined, snapshot.workers.reduce((sum, w) => sum + w.delivered, 0))];
}
