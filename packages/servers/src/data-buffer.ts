// A keyed flush buffer: values gathered per key and written out per key after an interval, with retries and lanes.
import { BufferClosedError, type Clock } from '@dispenser/core';
import { readSignal } from '@dispenser/core/internal';
import { FlushError, type FlushFailure } from './errors';
import {
  resolveDataBufferOptions,
  type DataBufferCloseOptions,
  type DataBufferMetrics,
  type DataBufferOptions,
} from './internal/data-buffer-options';
import { LaneScheduler } from './internal/lane-scheduler';
import { RetryLoop, type BatchOutcome, type RetryPolicy } from './internal/retry-loop';

export type { DataBufferCloseOptions, DataBufferMetrics, DataBufferOptions } from './internal/data-buffer-options';

/** Someone awaiting `flush(key)`: settles once the key's first `target` values are settled. */
interface FlushWaiter {
  readonly target: number;
  resolve(): void;
  /** With a {@link FlushError}, or with the abort reason of `close({ signal })`. */
  reject(error: unknown): void;
}

/** When a key's waiting values go out next: one of these at a time, so a key is never armed and queued at once. */
type Schedule =
  /** Nothing planned: no values wait, or the buffer is closed, or a kept batch waits for a request. */
  | { readonly tag: 'none' }
  /** The interval timer of the current batch is set. */
  | { readonly tag: 'armed'; readonly timer: unknown }
  /** In its lane's queue, not started yet. */
  | { readonly tag: 'queued' };

const UNSCHEDULED: Schedule = { tag: 'none' };
const QUEUED: Schedule = { tag: 'queued' };

/** Everything the buffer knows about one key; dropped once the key holds nothing. */
interface KeyState<K, V> {
  readonly key: K;
  readonly lane: number;
  /** Values waiting for the next flush, oldest first (a batch in flight is not among them). */
  values: V[];
  schedule: Schedule;
  /** The batch in flight (attempts, retry waits and `onError` included); at most one per key. */
  flight: RetryLoop<K, V> | undefined;
  /** Values ever added to this state, and how many of them were flushed or handed to onError. */
  total: number;
  settled: number;
  waiters: FlushWaiter[];
}

/** Where the buffer is in its life: one of these, so "closing" always comes with its promise. */
type Lifecycle =
  | { readonly tag: 'open' }
  /** `close()` was called and its promise has not settled; `abort` gives the work up. */
  | { readonly tag: 'closing'; readonly promise: Promise<void>; readonly abort: (reason: unknown) => void }
  | { readonly tag: 'closed'; readonly promise: Promise<void> };

/**
 * A keyed buffer: values inserted under a key are gathered and handed together, per key, to a
 * `flush` function (typically one database write per key) after an interval, when the key reaches
 * `maxSize`, or when asked.
 *
 * **When to use:** to turn many small writes (counters, events per user or per document) into a
 * few batched ones, accepting that values wait up to `interval + jitter` milliseconds.
 *
 * **How it flushes:**
 * - The first insert of a batch arms that key's timer for `interval` plus a random 0..`jitter` ms.
 *   A key that reaches `maxSize` values is flushed at once and its timer is cancelled.
 * - A flush receives the key's values in insertion order, at most `maxSize` of them. Two flushes
 *   of the same key never run at once: values inserted meanwhile wait for the next flush.
 * - Keys are spread over `partitions` lanes; each lane runs one flush at a time (retry waits
 *   included), so `partitions` bounds the concurrency against the sink. String, number, bigint,
 *   boolean, `null` and `undefined` keys go to the lane given by a stable hash (FNV-1a of
 *   `String(key)`); object, function and symbol keys get lanes round-robin when they start a batch
 *   and keep that lane while they hold values.
 *
 * **When flushing fails:** a failed attempt is retried with the same values, `retryDelay` ms
 * later, up to `retryMax` attempts in total; then `onError(key, values, error)` receives them.
 * No value is dropped silently: without `onError` (or when `onError` throws or rejects), the
 * values stay buffered ahead of newer values of the key and are tried again at the key's next
 * interval, and a pending `flush(key)`, `flushAll()` or `close()` rejects with a
 * {@link FlushError} listing them. After `close()` nothing retries them on its own; they stay
 * counted by `count(key)` and `metrics().buffered`, and another `flushAll()` tries again.
 *
 * **Gotchas:**
 * - `flush` may run synchronously inside `insert` (when `maxSize` is reached) and inside
 *   `flush(key)`; keys use `Map` semantics, so two distinct objects are two keys.
 * - What `flush` and `onError` return is read as `await` would read it, so a hostile thenable
 *   (a `then` that throws, or calls back twice) can neither break the buffer nor count twice.
 * - A `flush` that never settles holds its lane forever: give `close` a `signal` to bound the wait.
 *
 * @example
 * ```ts
 * const views = new DataBuffer<string, number>({
 *   flush: async (page, hits) => db.increment(page, hits.length),
 *   interval: 10_000,
 *   jitter: 2_000,
 *   maxSize: 1_000,
 * });
 * views.insert('/home', 1);
 * views.count('/home'); // 1
 * await views.close({ signal: AbortSignal.timeout(30_000) }); // flushes everything that is left
 * ```
 */
export class DataBuffer<K, V> {
  readonly #interval: number;
  readonly #jitter: number;
  readonly #maxSize: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #policy: RetryPolicy<K, V>;
  readonly #lanes: LaneScheduler<KeyState<K, V>>;
  readonly #keys = new Map<K, KeyState<K, V>>();
  #lifecycle: Lifecycle = { tag: 'open' };
  #inserted = 0;
  #flushed = 0;
  #failedAttempts = 0;
  #handedToOnError = 0;

  /**
   * @param options - see {@link DataBufferOptions}; only `flush` is required
   * @throws TypeError when `options` is not an object or has a key that is not an option (the
   *   message lists the known ones), `options.flush`, `options.onError` or `options.random` is
   *   not a function, `options.clock` is not a Clock, or a number option is not a number
   * @throws RangeError naming the option and the value when a number option is out of range (for
   *   example `options.interval: -1`, `options.partitions: 1.5`, `options.retryMax: 0`,
   *   `options.maxSize: NaN`)
   * @example
   * ```ts
   * const buffer = new DataBuffer<string, Row>({ flush: (table, rows) => db.insertMany(table, rows), partitions: 4 });
   * ```
   */
  constructor(options: DataBufferOptions<K, V>) {
    const { flush, onError, interval, jitter, maxSize, partitions, retryDelay, retryMax, clock, random } =
      resolveDataBufferOptions(options);
    this.#interval = interval;
    this.#jitter = jitter;
    this.#maxSize = maxSize;
    this.#clock = clock;
    this.#random = random;
    this.#policy = {
      flush,
      onError,
      retryDelay,
      retryMax,
      clock,
      attemptFailed: () => {
        this.#failedAttempts++;
      },
    };
    this.#lanes = new LaneScheduler(partitions, (state) => this.#start(state));
  }

  /**
   * Whether {@link DataBuffer.close} was called.
   *
   * @example
   * ```ts
   * void buffer.close();
   * buffer.isClosed; // true
   * ```
   */
  get isClosed(): boolean {
    return this.#lifecycle.tag !== 'open';
  }

  /**
   * Adds a value under `key` (any value usable as a `Map` key). The first value of a batch arms
   * the key's timer; reaching `maxSize` flushes the key at once.
   *
   * @throws BufferClosedError after {@link DataBuffer.close} (nothing is added)
   * @example
   * ```ts
   * buffer.insert(userId, { page: '/home', at: Date.now() });
   * ```
   */
  insert(key: K, value: V): void {
    if (this.#lifecycle.tag !== 'open') throw new BufferClosedError('cannot insert: the data buffer is closed');
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = this.#createState(key);
      this.#keys.set(key, state);
    }
    state.values.push(value);
    state.total++;
    this.#inserted++;
    if (state.schedule.tag === 'queued') return;
    if (state.values.length >= this.#maxSize) this.#enqueue(state);
    else if (state.schedule.tag === 'none') this.#arm(state);
  }

  /**
   * Number of values of `key` waiting for its next flush, or `undefined` when there are none.
   * Values being flushed right now are not counted, except those of a flush that an aborted
   * `close({ signal })` gave up on: they are held until that flush settles.
   *
   * @example
   * ```ts
   * buffer.insert('a', 1);
   * buffer.count('a'); // 1
   * buffer.count('b'); // undefined
   * ```
   */
  count(key: K): number | undefined {
    const state = this.#keys.get(key);
    if (state === undefined) return undefined;
    const flight = state.flight;
    const length = state.values.length + (flight !== undefined && flight.isAbandoned ? flight.batch.length : 0);
    return length === 0 ? undefined : length;
  }

  /**
   * Flushes `key` now (in batches of at most `maxSize`), without waiting for its timer.
   *
   * @returns a promise that resolves once every value inserted under `key` before the call was
   *   flushed or handed to `onError` (at once when there are none)
   * @throws (rejects) {@link FlushError} when some of those values failed every attempt and no
   *   `onError` took them; they stay buffered
   * @throws (rejects) the abort reason when a `close({ signal })` is aborted first
   * @example
   * ```ts
   * await buffer.flush('/home');
   * ```
   */
  flush(key: K): Promise<void> {
    const state = this.#keys.get(key);
    if (state === undefined || state.settled >= state.total) return Promise.resolve();
    const target = state.total;
    const promise = new Promise<void>((resolve, reject) => {
      state.waiters.push({ target, resolve, reject });
    });
    if (state.values.length > 0) this.#enqueue(state);
    return promise;
  }

  /**
   * Flushes every key now; see {@link DataBuffer.flush}.
   *
   * @returns a promise that resolves once every value inserted before the call was flushed or
   *   handed to `onError`
   * @throws (rejects) {@link FlushError} listing every key whose values failed every attempt with
   *   no `onError` to take them (after all other keys finished)
   * @throws (rejects) the abort reason when a `close({ signal })` is aborted first
   * @example
   * ```ts
   * process.on('SIGTERM', () => void buffer.flushAll());
   * ```
   */
  async flushAll(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const state of Array.from(this.#keys.values())) {
      if (state.settled < state.total) pending.push(this.flush(state.key));
    }
    const results = await Promise.allSettled(pending);
    const failures: FlushFailure<K, V>[] = [];
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (!(result.reason instanceof FlushError)) throw result.reason;
      failures.push(...(result.reason as FlushError<K, V>).failures);
    }
    if (failures.length > 0) throw new FlushError(failures);
  }

  /**
   * Cumulative counters; see {@link DataBufferMetrics}.
   *
   * @example
   * ```ts
   * const { inserted, flushed, buffered } = buffer.metrics();
   * ```
   */
  metrics(): DataBufferMetrics {
    return {
      inserted: this.#inserted,
      flushed: this.#flushed,
      failedAttempts: this.#failedAttempts,
      handedToOnError: this.#handedToOnError,
      buffered: this.#inserted - this.#flushed - this.#handedToOnError,
    };
  }

  /**
   * Stops accepting values (`insert` then throws `BufferClosedError`), cancels the interval
   * timers, flushes every key (with retries) and waits for flushes already running. Calling it
   * again returns the same promise.
   *
   * **Aborting:** when `options.signal` aborts before the close is done (or is aborted already),
   * the close stops waiting and rejects with `signal.reason`: every timer (interval and retry
   * waits) is cleared, queued flushes are not started, and pending `flush(key)` / `flushAll()`
   * calls reject with the same reason. Values nobody flushed are neither flushed nor handed to
   * `onError`: they stay counted by `count(key)` and `metrics().buffered`, so `inserted =
   * flushed + handedToOnError + buffered` still holds. A `flush` or `onError` that was running
   * cannot be stopped; its late outcome still counts (a late failure keeps the values, without
   * retries or `onError`). Nothing retries on its own afterwards; `flushAll()` tries again. The
   * signal of a later call aborts the shared close as well, until it has settled.
   *
   * @param options.signal - bounds the wait (for example `AbortSignal.timeout(30_000)`)
   * @returns a promise that resolves once every value was flushed or handed to `onError`
   * @throws (rejects) {@link FlushError} listing the values that failed every attempt with no
   *   `onError` to take them; they stay in the buffer
   * @throws (rejects) `signal.reason` when the signal is or becomes aborted first
   * @throws (rejects) TypeError when `options` is not an object, has a key other than `signal`,
   *   or `options.signal` is not an AbortSignal; the buffer is not closed then
   * @example
   * ```ts
   * await buffer.close({ signal: AbortSignal.timeout(30_000) });
   * ```
   */
  close(options?: DataBufferCloseOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    try {
      signal = readSignal(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const lifecycle = this.#lifecycle;
    if (lifecycle.tag === 'open') return this.#beginClose(signal);
    if (lifecycle.tag === 'closing' && signal !== undefined) watch(signal, lifecycle);
    return lifecycle.promise;
  }

  /**
   * Same as {@link DataBuffer.close}, for `await using buffer = new DataBuffer(...)`.
   *
   * @example
   * ```ts
   * { await using buffer = new DataBuffer({ flush }); buffer.insert('k', 1); } // flushed here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #beginClose(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) {
      const promise = Promise.reject(signal.reason as unknown);
      this.#lifecycle = { tag: 'closed', promise };
      this.#giveUp(signal.reason); // clears the timers too
      return promise;
    }
    let rejectAborted!: (reason: unknown) => void;
    const aborted = new Promise<never>((_resolve, reject) => {
      rejectAborted = reject;
    });
    const closing: { tag: 'closing'; promise: Promise<void>; abort: (reason: unknown) => void } = {
      tag: 'closing',
      // Set right below, once the flushes have started.
      promise: aborted,
      abort: (reason) => {
        if (this.#lifecycle !== closing) return;
        this.#giveUp(reason);
        rejectAborted(reason);
      },
    };
    this.#lifecycle = closing;
    for (const state of this.#keys.values()) this.#disarm(state);
    // The abort rejection is queued before the flushes' own rejections, so `signal.reason` wins.
    const promise = Promise.race([this.flushAll(), aborted]);
    closing.promise = promise;
    const settled = (): void => {
      this.#lifecycle = { tag: 'closed', promise };
    };
    void promise.then(settled, settled);
    if (signal !== undefined) watch(signal, closing);
    return promise;
  }

  /**
   * The work of an aborted close: clears every timer, unqueues every key, abandons the flights
   * and rejects every waiter with `reason`. Values stay where they are, counted as buffered.
   */
  #giveUp(reason: unknown): void {
    const waiters: FlushWaiter[] = [];
    for (const state of this.#keys.values()) {
      waiters.push(...state.waiters);
      state.waiters = [];
    }
    for (const state of this.#lanes.drain()) state.schedule = UNSCHEDULED;
    for (const state of Array.from(this.#keys.values())) {
      this.#disarm(state);
      state.flight?.abandon();
    }
    for (const waiter of waiters) waiter.reject(reason);
  }

  #createState(key: K): KeyState<K, V> {
    return {
      key,
      lane: this.#lanes.laneFor(key),
      values: [],
      schedule: UNSCHEDULED,
      flight: undefined,
      total: 0,
      settled: 0,
      waiters: [],
    };
  }

  /** Arms the key's interval timer: `interval` plus 0..`jitter` ms. */
  #arm(state: KeyState<K, V>): void {
    let delay = this.#interval;
    if (this.#jitter > 0) {
      const extra = Math.floor(this.#random() * (this.#jitter + 1));
      if (extra > 0) delay += Math.min(extra, this.#jitter);
    }
    const timer = this.#clock.setTimeout(() => {
      state.schedule = UNSCHEDULED;
      if (state.values.length > 0) this.#enqueue(state);
    }, delay);
    state.schedule = { tag: 'armed', timer };
  }

  #disarm(state: KeyState<K, V>): void {
    const schedule = state.schedule;
    if (schedule.tag !== 'armed') return;
    this.#clock.clearTimeout(schedule.timer);
    state.schedule = UNSCHEDULED;
  }

  /** Puts the key in its lane's queue (once), which starts it if the lane is idle. */
  #enqueue(state: KeyState<K, V>): void {
    this.#disarm(state);
    if (state.schedule.tag === 'queued') return;
    state.schedule = QUEUED;
    this.#lanes.enqueue(state.lane, state);
  }

  /** The key's turn in its lane came: send its next batch (the lane stays busy until #finish). */
  #start(state: KeyState<K, V>): void {
    state.schedule = UNSCHEDULED;
    const batch = this.#takeBatch(state);
    if (batch.length === 0) {
      this.#finish(state, false);
      return;
    }
    const flight = new RetryLoop(this.#policy, state.key, batch, (outcome) => this.#landed(state, batch, outcome));
    state.flight = flight;
    flight.run();
  }

  #takeBatch(state: KeyState<K, V>): V[] {
    const values = state.values;
    if (values.length <= this.#maxSize) {
      state.values = [];
      return values;
    }
    return values.splice(0, this.#maxSize);
  }

  #landed(state: KeyState<K, V>, batch: V[], outcome: BatchOutcome): void {
    if (outcome.tag === 'kept') this.#keep(state, batch, outcome.error);
    else this.#settle(state, batch, outcome.tag);
  }

  /** The batch was flushed or taken by onError: count it and resolve the waiters it completes. */
  #settle(state: KeyState<K, V>, batch: V[], how: 'flushed' | 'handed'): void {
    if (how === 'flushed') this.#flushed += batch.length;
    else this.#handedToOnError += batch.length;
    state.settled += batch.length;
    const waiters = state.waiters;
    let done = 0;
    while (done < waiters.length && (waiters[done] as FlushWaiter).target <= state.settled) done++;
    const resolved = done === 0 ? [] : waiters.splice(0, done);
    this.#finish(state, false);
    for (const waiter of resolved) waiter.resolve();
  }

  /** Nobody took the batch: put it back ahead of newer values and fail the waiters. */
  #keep(state: KeyState<K, V>, batch: V[], error: unknown): void {
    state.values = state.values.length === 0 ? batch : batch.concat(state.values);
    const rejected = state.waiters;
    state.waiters = [];
    this.#finish(state, true);
    for (const waiter of rejected) {
      waiter.reject(new FlushError([{ key: state.key, values: batch.slice(), error }]));
    }
  }

  /** Ends the key's flight, decides what happens next to the key, and frees its lane. */
  #finish(state: KeyState<K, V>, kept: boolean): void {
    state.flight = undefined;
    const schedule = state.schedule.tag;
    if (state.values.length > 0) {
      if (!kept && schedule !== 'queued' && (state.values.length >= this.#maxSize || state.waiters.length > 0)) {
        this.#enqueue(state);
      } else if (schedule === 'none' && this.#lifecycle.tag === 'open') {
        this.#arm(state);
      }
    } else if (schedule === 'none' && state.waiters.length === 0) {
      this.#keys.delete(state.key);
    }
    this.#lanes.release(state.lane);
  }
}

/** Aborts `closing` when `signal` aborts, and stops listening once the close has settled. */
function watch(signal: AbortSignal, closing: Extract<Lifecycle, { tag: 'closing' }>): void {
  if (signal.aborted) {
    closing.abort(signal.reason);
    return;
  }
  const onAbort = (): void => closing.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const stop = (): void => signal.removeEventListener('abort', onAbort);
  void closing.promise.then(stop, stop);
}
