// The demo itself: a bursty producer, a server and its subscribers (4 simulated, or N worker threads), with its own books.
import { DispatchingBuffer, EventBuffer, systemClock } from '@dispenser/core';
import type { Clock, DemandBuffer, DropStrategy, Subscriber } from '@dispenser/core';
import { BatchingBufferServer, BufferServer } from '@dispenser/servers';
import { BroadcastDispatcher, createEven, createGreedy, DemandDispatcher, PartitionDispatcher } from '@dispenser/strategies';
import { createSeededRandom } from '@dispenser/testing-utils';
import { BurstyLoad } from './bursty-load';
import type { LoadPhase } from './bursty-load';
import type { Crew, DemoEvent, WorkerFigures } from './crew';
import type { DemoOptions } from './options';
import { SimulatedCrew, workerSpecs, type SimulatedWorker } from './simulated-crew';
import { ThreadCrew, type PoolFigures } from './thread-crew';

export type { DemoEvent, WorkerFigures } from './crew';
export { workerSpecs } from './simulated-crew';
export type { WorkerSpec } from './simulated-crew';
export type { PoolFigures } from './thread-crew';

/** Milliseconds between two steps of the simulation. */
const TICK_MS = 10;
/** Batch size and delay of `--batch`. */
export const batching = { batchSize: 50, maxDelay: 25 } as const;

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
  /** The subscribers; with `--workers`, every thread that ever served, replacements included. */
  readonly workers: readonly WorkerFigures[];
  /** The `WorkerPool` with `--workers`; absent otherwise. */
  readonly pool?: PoolFigures;
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
  /**
   * With `--workers`: whether the pool closed cleanly (no thread up or busy) and its counts agree
   * with each worker's (`sent = processed + failed`, processed and failed summed over the workers,
   * nothing left held). Absent otherwise.
   */
  readonly poolBalanced?: boolean;
  /** Whether every line of the books balances and the server's counters (and the pool's) agree. */
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
  /**
   * With `--workers`: milliseconds between poison events (each takes its thread down once), on
   * average; the first comes after half of it.
   * @default 2000
   */
  readonly poisonEvery?: number;
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
        subscribeOptions: (subscriber) => ({ partition: (subscriber as SimulatedWorker).index }),
      });
  }
}

/**
 * The server of the run. With worker threads it takes back the batches of a thread that went down
 * (`redeliver: true`) and reports every drop to `onDrop`, redelivered events that no longer fit
 * included (`append` only returns its own).
 */
function serverFor(options: DemoOptions, buffer: DemandBuffer<DemoEvent, Subscriber<DemoEvent>>, clock: Clock, onDrop: ((events: DemoEvent[]) => void) | undefined): AnyServer {
  const threads = onDrop === undefined ? {} : { redeliver: true, onDrop };
  return options.batch
    ? new BatchingBufferServer<DemoEvent>({ buffer, ...batching, clock, ...threads })
    : new BufferServer<DemoEvent>({ buffer, ...threads });
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * Runs the demo for `options.duration` seconds (or until `hooks.signal` aborts), reporting a
 * snapshot every `hooks.every` ms, and returns the summary with the books checked. With
 * `options.workers`, the subscribers are that many worker threads of a `WorkerPool`: the run
 * waits for them to load first, and closes the pool (they finish what they hold) before its
 * final snapshot.
 */
export async function runDemo(options: DemoOptions, hooks: RunHooks): Promise<Summary> {
  const clock = hooks.clock ?? systemClock;
  // The strategies' random choices come from their own stream, apart from the load's (mod 2^32:
  // the generator only uses the low 32 bits, and the sum may leave the safe range).
  const random = createSeededRandom((options.seed + 0x2545f491) % 2 ** 32);
  const threads =
    options.workers === undefined
      ? undefined
      : new ThreadCrew({
          size: options.workers,
          seed: options.seed,
          clock,
          ...(hooks.poisonEvery === undefined ? {} : { poisonEvery: hooks.poisonEvery }),
        });
  const crew: Crew = threads ?? new SimulatedCrew();
  const buffer = bufferFor(options, random, crew.maxDemand);
  let dropped = 0;
  // With threads every drop is counted as the buffer reports it; otherwise from what append returns.
  const onDrop = threads === undefined ? undefined : (events: DemoEvent[]) => void (dropped += events.length);
  const server = serverFor(options, buffer, clock, onDrop);
  const load = new BurstyLoad({ throughput: crew.throughput, seed: options.seed });
  const duration = options.duration * 1000;

  let appended = 0;
  let nextId = 0;
  try {
    await crew.start(server, hooks.signal);
  } catch (error) {
    await server.close();
    throw error;
  }

  // Each worker's count (delivered or processed, see crew.rateOf) a second ago, for the rates.
  const history: Array<{ at: number; counts: Map<string, number> }> = [];
  const snapshot = (elapsed: number): Snapshot => {
    const figures = crew.figures();
    const counts = new Map(figures.map((w) => [w.name, w[crew.rateOf]]));
    history.push({ at: elapsed, counts });
    while (history.length > 1 && elapsed - (history[1] as { at: number }).at >= 1000) history.shift();
    const past = history[0] as { at: number; counts: Map<string, number> };
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
      workers: figures.map((w) => ({ ...w, rate: Math.max(0, (w[crew.rateOf] - (past.counts.get(w.name) ?? 0)) / span) })),
      ...(threads === undefined ? {} : { pool: threads.pool() }),
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
    crew.work(step);
    const count = load.take(elapsed, step);
    if (count > 0) {
      const events = new Array<DemoEvent>(count);
      for (let k = 0; k < count; k++) events[k] = crew.event(nextId++);
      appended += count;
      const lost = server.append(events);
      if (threads === undefined) dropped += lost;
    }
    const finished = elapsed >= duration || hooks.signal?.aborted === true;
    if (finished) break;
    if (elapsed - lastSnapshot >= hooks.every) {
      lastSnapshot = elapsed;
      hooks.onSnapshot(snapshot(elapsed));
    }
  }

  const ended = Math.min(clock.now() - start, duration);
  // Delivery to the simulated workers is synchronous, so the counts are consistent here. Worker
  // threads finish what they hold first (a thread that goes down meanwhile puts its batches back).
  await crew.stop();
  const final = snapshot(ended);
  hooks.onSnapshot(final);
  const metrics = server.metrics();
  const books = checkBooks(options, final);
  await server.close();
  const poolBalanced = final.pool === undefined ? undefined : checkPool(final.pool, final.workers);
  const balanced =
    books.every((line) => line.balanced) &&
    metrics.appended === final.appended &&
    metrics.dropped === final.dropped &&
    metrics.failed === 0 &&
    poolBalanced !== false;
  return { last: final, metrics, books, ...(poolBalanced === undefined ? {} : { poolBalanced }), balanced };
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

/**
 * Whether a closed pool's figures are clean: no thread up or busy, `sent = processed + failed`,
 * and its processed and failed counts the sums of the workers' (each of which holds nothing:
 * delivered = processed).
 */
export function checkPool(pool: PoolFigures, workers: readonly WorkerFigures[]): boolean {
  const { sent, processed, failed } = pool.metrics;
  const sum = (pick: (w: WorkerFigures) => number): number => workers.reduce((total, w) => total + pick(w), 0);
  return (
    pool.stats.workers === 0 &&
    pool.stats.busy === 0 &&
    sent === processed + failed &&
    processed === sum((w) => w.processed) &&
    failed === sum((w) => w.failed ?? 0) &&
    workers.every((w) => w.delivered === w.processed)
  );
}
