// A keyed flush buffer: values gathered per key and written out per key after an interval, with retries and lanes.
import { BufferClosedError, LimitedQueue, systemClock, type Clock } from '@dispenser/core';
import { assertClock, assertCount, assertFunction, assertObject, describeValue } from '@dispenser/core/internal';
import { isThenable } from './internal/async';
import { FlushError, type FlushFailure } from './errors';
import { fnv1a } from './internal/data-buffer-hash';

/** Options of {@link DataBuffer}. */
export interface DataBufferOptions<K, V> {
  /**
   * Writes out the values of one key, oldest first (typically one database write). May be sync
   * or async; a throw or a rejection is a failed attempt. It must not change `values`.
   */
  flush: (key: K, values: V[]) => void | Promise<void>;
  /**
   * Receives the values of a key once `retryMax` attempts have failed, with the last error. When
   * it is missing, or itself throws or rejects, the values stay buffered (see {@link DataBuffer}).
   * @default undefined
   */
  onError?: (key: K, values: V[], error: unknown) => void | Promise<void>;
  /**
   * Milliseconds between the first insert of a batch and its flush; a safe integer ≥ 0.
   * @default 5000
   */
  interval?: number;
  /**
   * Most extra milliseconds added at random to each key's `interval` (uniform over 0..jitter), so
   * keys inserted together do not all flush at once; a safe integer ≥ 0.
   * @default 0
   */
  jitter?: number;
  /**
   * Values of a key that trigger an immediate flush, and the most one flush receives; a safe
   * integer ≥ 1 or `Infinity`.
   * @default Infinity
   */
  maxSize?: number;
  /**
   * Number of flush lanes; each runs one flush at a time, so this is the most flushes running at
   * once against the sink. A safe integer ≥ 1.
   * @default 1
   */
  partitions?: number;
  /**
   * Milliseconds between a failed attempt and the next one; a safe integer ≥ 0.
   * @default 1000
   */
  retryDelay?: number;
  /**
   * Attempts in total (first try included) before the values go to `onError`; a safe integer ≥ 1.
   * @default 3
   */
  retryMax?: number;
  /**
   * Where the interval, jitter and retry timers are set.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * Source of randomness for the jitter: returns a number in [0, 1).
   * @default Math.random
   */
  random?: () => number;
}

/** Cumulative counters of a {@link DataBuffer}, from {@link DataBuffer.metrics}. */
export interface DataBufferMetrics {
  /** Values ever inserted. */
  inserted: number;
  /** Values whose `flush` succeeded. */
  flushed: number;
  /** Calls to `flush` that threw or rejected. */
  failedAttempts: number;
  /** Values accepted by `onError` (it returned, or its promise resolved). */
  handedToOnError: number;
  /** Values held now, waiting or being flushed: `inserted - flushed - handedToOnError`. */
  buffered: number;
}

/** Someone awaiting `flush(key)`: settles once the key's first `target` values are settled. */
interface FlushWaiter<K, V> {
  readonly target: number;
  resolve(): void;
  reject(error: FlushError<K, V>): void;
}

/** A flush lane: a FIFO of keys waiting to flush, and whether one is flushing now. */
interface Lane<K, V> {
  readonly queue: LimitedQueue<KeyState<K, V>>;
  running: boolean;
  pumping: boolean;
}

/** Everything the buffer knows about one key; dropped once the key holds nothing. */
interface KeyState<K, V> {
  readonly key: K;
  readonly lane: Lane<K, V>;
  /** Values waiting for the next flush, oldest first. */
  values: V[];
  /** Interval timer of the current batch, when `hasTimer`. */
  timer: unknown;
  hasTimer: boolean;
  /** In its lane's queue, not started yet. */
  queued: boolean;
  /** A flush of this key is in flight (attempts, retry waits and `onError` included). */
  running: boolean;
  /** Values ever added to this state, and how many of them were flushed or handed to onError. */
  total: number;
  settled: number;
  waiters: FlushWaiter<K, V>[];
}

const DEFAULTS = {
  interval: 5000,
  jitter: 0,
  maxSize: Number.POSITIVE_INFINITY,
  partitions: 1,
  retryDelay: 1000,
  retryMax: 3,
} as const;

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
 * **Gotchas:** `flush` may run synchronously inside `insert` (when `maxSize` is reached) and
 * inside `flush(key)`; keys use `Map` semantics, so two distinct objects are two keys.
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
 * await views.close();  // flushes everything that is left
 * ```
 */
export class DataBuffer<K, V> {
  readonly #flushFn: (key: K, values: V[]) => void | Promise<void>;
  readonly #onError: ((key: K, values: V[], error: unknown) => void | Promise<void>) | undefined;
  readonly #interval: number;
  readonly #jitter: number;
  readonly #maxSize: number;
  readonly #retryDelay: number;
  readonly #retryMax: number;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #lanes: Lane<K, V>[];
  readonly #keys = new Map<K, KeyState<K, V>>();
  #nextLane = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  #inserted = 0;
  #flushed = 0;
  #failedAttempts = 0;
  #handedToOnError = 0;

  /**
   * @param options - see {@link DataBufferOptions}; only `flush` is required
   * @throws TypeError when `options` is not an object, `flush`, `onError` or `random` is not a
   *   function, `clock` is not a Clock, or a number option is not a number
   * @throws RangeError naming the option and the value when a number option is out of range (for
   *   example `interval: -1`, `partitions: 1.5`, `retryMax: 0`, `maxSize: NaN`)
   * @example
   * ```ts
   * const buffer = new DataBuffer<string, Row>({ flush: (table, rows) => db.insertMany(table, rows), partitions: 4 });
   * ```
   */
  constructor(options: DataBufferOptions<K, V>) {
    assertObject('options', options);
    const {
      flush,
      onError,
      interval = DEFAULTS.interval,
      jitter = DEFAULTS.jitter,
      maxSize = DEFAULTS.maxSize,
      partitions = DEFAULTS.partitions,
      retryDelay = DEFAULTS.retryDelay,
      retryMax = DEFAULTS.retryMax,
      clock = systemClock,
      random = Math.random,
    } = options;
    assertFunction('flush', flush);
    if (onError !== undefined) assertFunction('onError', onError);
    assertCount('interval', interval, 0);
    assertCount('jitter', jitter, 0);
    assertMaxSize(maxSize);
    assertCount('partitions', partitions, 1);
    assertCount('retryDelay', retryDelay, 0);
    assertCount('retryMax', retryMax, 1);
    assertClock('clock', clock);
    assertFunction('random', random);
    this.#flushFn = flush;
    this.#onError = onError;
    this.#interval = interval;
    this.#jitter = jitter;
    this.#maxSize = maxSize;
    this.#retryDelay = retryDelay;
    this.#retryMax = retryMax;
    this.#clock = clock;
    this.#random = random;
    this.#lanes = Array.from({ length: partitions }, () => ({
      queue: new LimitedQueue<KeyState<K, V>>(Number.MAX_SAFE_INTEGER),
      running: false,
      pumping: false,
    }));
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
    return this.#closed;
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
    if (this.#closed) throw new BufferClosedError('cannot insert: the data buffer is closed');
    let state = this.#keys.get(key);
    if (state === undefined) {
      state = this.#createState(key);
      this.#keys.set(key, state);
    }
    state.values.push(value);
    state.total++;
    this.#inserted++;
    if (state.queued) return;
    if (state.values.length >= this.#maxSize) this.#enqueue(state);
    else if (!state.hasTimer) this.#arm(state);
  }

  /**
   * Number of values of `key` waiting for its next flush (values being flushed right now are not
   * counted), or `undefined` when there are none.
   *
   * @example
   * ```ts
   * buffer.insert('a', 1);
   * buffer.count('a'); // 1
   * buffer.count('b'); // undefined
   * ```
   */
  count(key: K): number | undefined {
    const length = this.#keys.get(key)?.values.length;
    return length === 0 ? undefined : length;
  }

  /**
   * Flushes `key` now (in batches of at most `maxSize`), without waiting for its timer.
   *
   * @returns a promise that resolves once every value inserted under `key` before the call was
   *   flushed or handed to `onError` (at once when there are none)
   * @throws (rejects) {@link FlushError} when some of those values failed every attempt and no
   *   `onError` took them; they stay buffered
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
      if (result.status === 'rejected') failures.push(...(result.reason as FlushError<K, V>).failures);
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
   * @returns a promise that resolves once every value was flushed or handed to `onError`
   * @throws (rejects) {@link FlushError} listing the values that failed every attempt with no
   *   `onError` to take them; they stay in the buffer
   * @example
   * ```ts
   * await buffer.close();
   * ```
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    for (const state of this.#keys.values()) this.#disarm(state);
    this.#closing = this.flushAll();
    return this.#closing;
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

  #createState(key: K): KeyState<K, V> {
    return {
      key,
      lane: this.#laneFor(key),
      values: [],
      timer: undefined,
      hasTimer: false,
      queued: false,
      running: false,
      total: 0,
      settled: 0,
      waiters: [],
    };
  }

  #laneFor(key: K): Lane<K, V> {
    const lanes = this.#lanes;
    if (lanes.length === 1) return lanes[0] as Lane<K, V>;
    const type = typeof key;
    if (type === 'string' || type === 'number' || type === 'bigint' || type === 'boolean' || key == null) {
      return lanes[fnv1a(String(key)) % lanes.length] as Lane<K, V>;
    }
    // Objects, functions and symbols have no stable text: deal lanes out in turn.
    const lane = lanes[this.#nextLane] as Lane<K, V>;
    this.#nextLane = (this.#nextLane + 1) % lanes.length;
    return lane;
  }

  /** Arms the key's interval timer: `interval` plus 0..`jitter` ms. */
  #arm(state: KeyState<K, V>): void {
    let delay = this.#interval;
    if (this.#jitter > 0) {
      const extra = Math.floor(this.#random() * (this.#jitter + 1));
      if (extra > 0) delay += Math.min(extra, this.#jitter);
    }
    state.hasTimer = true;
    state.timer = this.#clock.setTimeout(() => {
      state.hasTimer = false;
      state.timer = undefined;
      if (state.values.length > 0) this.#enqueue(state);
    }, delay);
  }

  #disarm(state: KeyState<K, V>): void {
    if (!state.hasTimer) return;
    this.#clock.clearTimeout(state.timer);
    state.hasTimer = false;
    state.timer = undefined;
  }

  /** Puts the key in its lane's queue (once) and starts the lane if it is idle. */
  #enqueue(state: KeyState<K, V>): void {
    this.#disarm(state);
    if (state.queued) return;
    state.queued = true;
    state.lane.queue.push(state);
    this.#pump(state.lane);
  }

  /** Starts queued keys while the lane is idle; flushes that finish synchronously loop here. */
  #pump(lane: Lane<K, V>): void {
    if (lane.pumping) return;
    lane.pumping = true;
    try {
      while (!lane.running && lane.queue.size > 0) {
        const state = lane.queue.pop() as KeyState<K, V>;
        state.queued = false;
        this.#start(state);
      }
    } finally {
      lane.pumping = false;
    }
  }

  #start(state: KeyState<K, V>): void {
    const batch = this.#takeBatch(state);
    if (batch.length === 0) {
      this.#finish(state, false);
      return;
    }
    state.running = true;
    state.lane.running = true;
    this.#attempt(state, batch, 1);
  }

  #takeBatch(state: KeyState<K, V>): V[] {
    const values = state.values;
    if (values.length <= this.#maxSize) {
      state.values = [];
      return values;
    }
    return values.splice(0, this.#maxSize);
  }

  #attempt(state: KeyState<K, V>, batch: V[], attempt: number): void {
    let result: unknown;
    try {
      result = this.#flushFn(state.key, batch);
    } catch (error) {
      this.#attemptFailed(state, batch, attempt, error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        () => this.#settle(state, batch, 'flushed'),
        (error: unknown) => this.#attemptFailed(state, batch, attempt, error),
      );
    } else {
      this.#settle(state, batch, 'flushed');
    }
  }

  #attemptFailed(state: KeyState<K, V>, batch: V[], attempt: number, error: unknown): void {
    this.#failedAttempts++;
    if (attempt < this.#retryMax) {
      this.#clock.setTimeout(() => this.#attempt(state, batch, attempt + 1), this.#retryDelay);
      return;
    }
    const onError = this.#onError;
    if (onError === undefined) {
      this.#keep(state, batch, error);
      return;
    }
    let result: unknown;
    try {
      result = onError(state.key, batch, error);
    } catch (handlerError) {
      this.#keep(state, batch, handlerError);
      return;
    }
    if (isThenable(result)) {
      result.then(
        () => this.#settle(state, batch, 'handed'),
        (handlerError: unknown) => this.#keep(state, batch, handlerError),
      );
    } else {
      this.#settle(state, batch, 'handed');
    }
  }

  /** The batch was flushed or taken by onError: count it and resolve the waiters it completes. */
  #settle(state: KeyState<K, V>, batch: V[], how: 'flushed' | 'handed'): void {
    if (how === 'flushed') this.#flushed += batch.length;
    else this.#handedToOnError += batch.length;
    state.settled += batch.length;
    const waiters = state.waiters;
    let done = 0;
    while (done < waiters.length && (waiters[done] as FlushWaiter<K, V>).target <= state.settled) done++;
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

  /** Frees the lane, decides what happens next to the key, and starts the lane's next key. */
  #finish(state: KeyState<K, V>, kept: boolean): void {
    state.running = false;
    state.lane.running = false;
    if (state.values.length > 0) {
      if (!kept && !state.queued && (state.values.length >= this.#maxSize || state.waiters.length > 0)) {
        this.#enqueue(state);
      } else if (!state.queued && !state.hasTimer && !this.#closed) {
        this.#arm(state);
      }
    } else if (!state.queued && !state.hasTimer && state.waiters.length === 0) {
      this.#keys.delete(state.key);
    }
    this.#pump(state.lane);
  }
}

function assertMaxSize(value: unknown): asserts value is number {
  if (value === Number.POSITIVE_INFINITY) return;
  const message = `maxSize must be a safe integer >= 1 or Infinity, received ${describeValue(value)}`;
  if (typeof value !== 'number') throw new TypeError(message);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(message);
}

