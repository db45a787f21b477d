// W7's handler and its books in shared memory: the same code runs on the main thread and in every worker thread.
import { BURN_ROUNDS, burn } from './cpu-burn';
import type { Ev } from './events';

/**
 * What W7's handler writes to, in `SharedArrayBuffer`s, so that every thread writes to the same
 * memory and nothing is posted back: a counter per event, the start time of the handler call
 * for a sample of the events, and a checksum of the hashes (so the loop's result is used).
 * Made on the main thread for each run and handed to the worker threads as environment data
 * (see `cpu-worker.ts`); typed arrays over a `SharedArrayBuffer` are shared, not copied.
 */
export interface CpuBook {
  /** `handled[i]`: how many times the handler ran on event `i` (must end at exactly 1). */
  readonly handled: Uint8Array;
  /**
   * `startedAt[k]`: when the handler call holding event `k × sampleEvery` started, in
   * milliseconds on the main thread's `performance.now()` scale (see {@link CpuBook.origin}).
   */
  readonly startedAt: Float64Array;
  /** Every `sampleEvery`-th event has its start time recorded. */
  readonly sampleEvery: number;
  /** `[0]`: the XOR of every event's hash. */
  readonly checksum: Int32Array;
  /** `[0]`: threads that loaded the worker module (`cpu-worker.ts`) with this book. */
  readonly threads: Int32Array;
  /**
   * The main thread's `performance.timeOrigin`. A thread's `performance.now()` counts from its
   * own start; `performance.timeOrigin - origin + performance.now()` is the same instant on the
   * main thread's scale, comparable across threads.
   */
  readonly origin: number;
}

/**
 * The key of the environment data (`node:worker_threads` `setEnvironmentData`) under which the
 * main thread leaves the run's {@link CpuBook}; a worker thread gets a copy of it when it starts.
 */
export const CPU_BOOK_KEY = '@dispenser/bench:w7-book';

/** A fresh book for `events` events, a start time recorded every `sampleEvery`-th. */
export function cpuBook(events: number, sampleEvery: number): CpuBook {
  const samples = Math.ceil(events / sampleEvery);
  return {
    handled: new Uint8Array(new SharedArrayBuffer(events)),
    startedAt: new Float64Array(new SharedArrayBuffer(samples * Float64Array.BYTES_PER_ELEMENT)).fill(Number.NaN),
    sampleEvery,
    checksum: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
    threads: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
    origin: performance.timeOrigin,
  };
}

/**
 * W7's handler over `book`: for each event of the batch, the fixed hashing loop
 * ({@link burn}, {@link BURN_ROUNDS} rounds) and one count; once per call, the start time for
 * the sampled events and the checksum. The bookkeeping costs a few atomic adds per 20 µs event.
 */
export function cpuHandler(book: CpuBook): (events: readonly Ev[]) => void {
  const shift = performance.timeOrigin - book.origin;
  const { handled, startedAt, sampleEvery, checksum } = book;
  return (events) => {
    const started = shift + performance.now();
    let hashes = 0;
    for (let k = 0; k < events.length; k++) {
      const i = (events[k] as Ev).i;
      if (i % sampleEvery === 0) startedAt[i / sampleEvery] = started;
      hashes ^= burn(i, BURN_ROUNDS);
      Atomics.add(handled, i, 1);
    }
    Atomics.xor(checksum, 0, hashes);
  };
}
