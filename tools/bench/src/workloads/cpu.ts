// W7: CPU-bound, a 20 µs handler per event on worker threads: dispenser's WorkerPool, piscina, and the main thread.
import { setEnvironmentData } from 'node:worker_threads';
import { BufferServer } from '@dispenser/servers';
import { WorkerPool } from '@dispenser/workers';
import { Piscina } from 'piscina';
import type { Contender, GrowthProbe, Role } from '../harness';
import { quantile } from '../harness';
import { expectEqual } from './books';
import { CPU_BOOK_KEY, cpuBook, cpuHandler } from './cpu-handler';
import type { CpuBook } from './cpu-handler';
import type { Ev } from './events';
import { atMost, waitUntil } from './loop';
import type { Profile } from './profile';
import type { TimedWorkload } from './types';

/** W7's sizes. */
type Sizes = Profile['cpu'];

/** The module both pools load in their threads: plain JavaScript that loads `cpu-worker.ts` (see there). */
const workerEntry = new URL('./cpu-worker-entry.mjs', import.meta.url);

/** Longest the threads of a pool may take to load the handler module (tsx included). */
const STARTUP_TIMEOUT_MS = 30_000;

/** Longest a W7 run may wait for its last events once the producer is done. */
const CPU_TIMEOUT_MS = 120_000;

/** Batches in a run. */
function batchCount(s: Sizes): number {
  return Math.ceil(s.events / s.batchSize);
}

/**
 * `size` fresh events `{ i }` numbered from `first`. W7's producer makes its events as it goes,
 * unlike the other workloads (whose events are made once and shared): what a contender holds
 * on to is then what it costs, events included, which is what W7's heap figures compare.
 */
function freshBatch(first: number, size: number): Ev[] {
  const batch: Ev[] = [];
  for (let k = 0; k < size; k++) batch.push({ i: first + k });
  return batch;
}

/** One W7 run of a contender, its threads started and its handler module loaded. */
interface CpuTarget {
  /** Hands one batch over: dispenser waits for `write`, piscina starts a `run`, the main thread handles it there and then. */
  deliver(batch: Ev[]): Promise<void> | void;
  /** Resolves once every event delivered has been handled. */
  finished(): Promise<void>;
  /** The contender's own books, beyond the shared ones; throws when they do not balance. */
  check(): void;
  /** Stops the threads; resolves once they have exited. */
  release(): Promise<void>;
}

/** A W7 contender: starts a run over a fresh book. */
interface CpuContender {
  readonly name: string;
  readonly role: Role;
  /** Threads that load the handler module (`0` on the main thread). */
  readonly threads: number;
  start(book: CpuBook): Promise<CpuTarget>;
}

/**
 * W7's producer: makes each batch, stamps the time it is handed over in `appendedAt` (on the
 * main thread's `performance.now()` scale, as the book's start times), hands it to `target`
 * and waits when the target says so; `afterBatch` (the heap probe's readings) runs after each.
 */
async function produce(s: Sizes, target: CpuTarget, appendedAt: Float64Array, afterBatch?: (batch: number) => void): Promise<void> {
  for (let b = 0; b * s.batchSize < s.events; b++) {
    const first = b * s.batchSize;
    const batch = freshBatch(first, Math.min(s.batchSize, s.events - first));
    appendedAt[b] = performance.now();
    const pending = target.deliver(batch);
    if (pending !== undefined) await pending;
    afterBatch?.(b);
  }
}

/**
 * The checksum of the hashes every run of the workload must agree on: the first run's (the same
 * events through the same loop give the same XOR, whichever thread hashed them, in any order).
 */
interface Checksum {
  value: number | undefined;
}

/**
 * Throws unless every event was handled exactly once, by a handler loaded in `threads` threads,
 * and the checksum of the hashes is that of the workload's other runs (so every thread ran the
 * same loop on the same events).
 */
function checkBook(s: Sizes, book: CpuBook, threads: number, checksum: Checksum): void {
  let never = 0;
  let again = 0;
  let first = -1;
  for (let i = 0; i < s.events; i++) {
    const count = book.handled[i] as number;
    if (count === 1) continue;
    if (first < 0) first = i;
    if (count === 0) never++;
    else again++;
  }
  if (first >= 0) {
    throw new Error(`events not handled exactly once: ${never} never, ${again} more than once (the first: event ${first}, ${book.handled[first]} times)`);
  }
  expectEqual('threads that loaded the handler module', Atomics.load(book.threads, 0), threads);
  const hashes = Atomics.load(book.checksum, 0);
  if (checksum.value === undefined) checksum.value = hashes;
  else expectEqual("checksum of the hashes (the workload's other runs)", hashes, checksum.value);
}

/**
 * p50 and p99 of the sampled events' latency: from the moment their batch was handed over
 * (`write` called, `run` called, or the inline call) to the start of the handler call that held
 * them, both on the main thread's clock.
 */
function latencies(s: Sizes, book: CpuBook, appendedAt: Float64Array): Record<string, number> {
  const samples = book.startedAt.length;
  const sorted = new Float64Array(samples);
  for (let k = 0; k < samples; k++) {
    const batch = Math.floor((k * book.sampleEvery) / s.batchSize);
    sorted[k] = (book.startedAt[k] as number) - (appendedAt[batch] as number);
  }
  sorted.sort();
  return { p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99) };
}

/** The message of the first error a pool reported, for a book that must have none. */
function firstError(errors: readonly unknown[]): string {
  const first = errors[0];
  return first instanceof Error ? first.message : String(first);
}

/**
 * dispenser: a `BufferServer` of `capacity` (default `'drop-newest'`, `even`) with a
 * `WorkerPool` attached; the producer waits on `write`, so nothing is dropped and the buffer
 * is the backpressure. Ready once every worker has asked its `maxDemand`.
 */
function dispenserCpu(s: Sizes): CpuContender {
  return {
    name: `dispenser BufferServer + WorkerPool (${s.workers} workers, maxDemand ${s.maxDemand})`,
    role: 'dispenser',
    threads: s.workers,
    async start(book) {
      setEnvironmentData(CPU_BOOK_KEY, book);
      const errors: unknown[] = [];
      const server = new BufferServer<Ev>({ capacity: s.capacity });
      const pool = new WorkerPool<Ev>({ filename: workerEntry, size: s.workers, maxDemand: s.maxDemand, onError: (error) => errors.push(error) });
      const release = async (): Promise<void> => {
        await pool.close();
        await server.close();
        setEnvironmentData(CPU_BOOK_KEY, undefined);
      };
      try {
        pool.attach(server);
        await waitUntil(() => server.stats().demand === s.workers * s.maxDemand || errors.length > 0, STARTUP_TIMEOUT_MS, 'every worker asked for its maxDemand');
        if (errors.length > 0) throw new Error(`the pool did not start: ${firstError(errors)}`);
      } catch (error) {
        await release();
        throw error;
      }
      return {
        deliver: (batch) => server.write(batch),
        finished: () => server.onIdle(),
        check() {
          if (errors.length > 0) throw new Error(`the pool reported ${errors.length} errors, the first: ${firstError(errors)}`);
          const metrics = server.metrics();
          expectEqual('server appended', metrics.appended, s.events);
          expectEqual('server delivered', metrics.delivered, s.events);
          expectEqual('server dropped', metrics.dropped, 0);
          expectEqual('server failed', metrics.failed, 0);
          expectEqual('server buffered', server.stats().buffered, 0);
          const sent = pool.metrics();
          expectEqual('events sent to workers', sent.sent, s.events);
          expectEqual('events processed by workers', sent.processed, s.events);
          expectEqual('events failed on workers', sent.failed + sent.uncloneable, 0);
          expectEqual('workers restarted', pool.stats().restarts, 0);
        },
        release,
      };
    },
  };
}

/**
 * piscina: `minThreads = maxThreads = workers`, one `run` per batch, not awaited by the
 * producer (piscina has no demand and no bound unless `maxQueue` is set: its queue takes what
 * the producer pushes). Ready once every thread has loaded the handler module.
 */
function piscinaCpu(s: Sizes): CpuContender {
  return {
    name: `piscina ${Piscina.version} run() per batch of ${s.batchSize} (${s.workers} threads)`,
    role: 'peer',
    threads: s.workers,
    async start(book) {
      setEnvironmentData(CPU_BOOK_KEY, book);
      const errors: unknown[] = [];
      const pool = new Piscina<Ev[], void>({ filename: workerEntry.href, minThreads: s.workers, maxThreads: s.workers });
      pool.on('error', (error: unknown) => errors.push(error));
      const release = async (): Promise<void> => {
        await pool.destroy();
        setEnvironmentData(CPU_BOOK_KEY, undefined);
      };
      try {
        await waitUntil(() => Atomics.load(book.threads, 0) === s.workers || errors.length > 0, STARTUP_TIMEOUT_MS, 'every thread loaded the handler module');
        if (errors.length > 0) throw new Error(`the pool did not start: ${firstError(errors)}`);
      } catch (error) {
        await release();
        throw error;
      }
      const tasks: Promise<void>[] = [];
      return {
        deliver(batch) {
          tasks.push(pool.run(batch));
        },
        finished: async () => {
          await Promise.all(tasks);
        },
        check() {
          if (errors.length > 0) throw new Error(`the pool reported ${errors.length} errors, the first: ${firstError(errors)}`);
          expectEqual('tasks completed', pool.completed, batchCount(s));
          expectEqual('threads', pool.threads.length, s.workers);
        },
        release,
      };
    },
  };
}

/** The reference: the same handler on the main thread, called by the producer on each batch. */
function mainThreadCpu(s: Sizes): CpuContender {
  return {
    name: `main thread: the handler inline, batches of ${s.batchSize}`,
    role: 'reference',
    threads: 0,
    start(book) {
      const handler = cpuHandler(book);
      return Promise.resolve({
        deliver(batch) {
          handler(batch);
        },
        finished: () => Promise.resolve(),
        check: () => undefined,
        release: () => Promise.resolve(),
      });
    },
  };
}

/** The timed contender of a W7 contender: threads started in `prepare`, stopped in `release`, both outside the clock. */
function timed(c: CpuContender, s: Sizes, checksum: Checksum): Contender {
  return {
    name: c.name,
    role: c.role,
    async prepare() {
      const book = cpuBook(s.events, s.sampleEvery);
      const appendedAt = new Float64Array(batchCount(s));
      const target = await c.start(book);
      return {
        async run() {
          await produce(s, target, appendedAt);
          await atMost(target.finished(), CPU_TIMEOUT_MS);
        },
        check() {
          checkBook(s, book, c.threads, checksum);
          target.check();
        },
        extras: () => latencies(s, book, appendedAt),
        release: () => target.release(),
      };
    },
  };
}

/**
 * The heap probe of a W7 contender: the baseline once its threads run and its handler module is
 * loaded, then a reading every `batches / heapReadings` batches, one when the producer is done
 * (an unbounded queue is longest then) and one when every event was handled.
 */
function probe(c: CpuContender, s: Sizes, checksum: Checksum): GrowthProbe {
  return {
    name: c.name,
    role: c.role,
    async run(mark) {
      const book = cpuBook(s.events, s.sampleEvery);
      const appendedAt = new Float64Array(batchCount(s));
      const target = await c.start(book);
      try {
        const every = Math.max(1, Math.floor(batchCount(s) / s.heapReadings));
        mark();
        await produce(s, target, appendedAt, (b) => {
          if ((b + 1) % every === 0) mark();
        });
        mark();
        await atMost(target.finished(), CPU_TIMEOUT_MS);
        mark();
        checkBook(s, book, c.threads, checksum);
        target.check();
        return {};
      } finally {
        await target.release();
      }
    },
  };
}

/** The unit of W7's heap budget: `capacity` fresh events in an array (the events and a pointer each). */
function capacityProbe(s: Sizes): GrowthProbe {
  return {
    name: `${s.capacity} fresh events in an array`,
    role: 'reference',
    run(mark) {
      mark();
      const held = freshBatch(0, s.capacity);
      mark();
      return Promise.resolve({ held: held.length });
    },
  };
}

/**
 * W7 at the sizes of `p`: dispenser's `BufferServer` with a `WorkerPool` against piscina, with
 * the main thread as the reference. Its peak heap growth is measured by untimed runs after the
 * timed ones, against the heap `capacity` fresh events take.
 */
export function cpuWorkload(p: Profile): TimedWorkload {
  const s = p.cpu;
  const contenders = [dispenserCpu(s), piscinaCpu(s), mainThreadCpu(s)];
  const checksum: Checksum = { value: undefined };
  return {
    id: 'W7',
    title: 'CPU-bound, worker threads',
    events: s.events,
    contenders: contenders.map((c) => timed(c, s, checksum)),
    rounds: s.rounds,
    peakHeap: {
      probes: contenders.map((c) => probe(c, s, checksum)),
      unit: capacityProbe(s),
      rounds: s.heapRounds,
      capacity: s.capacity,
    },
  };
}
