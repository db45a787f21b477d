// The options of DataBuffer, their defaults, and the checks that word their errors.
import { systemClock, type Clock } from '@dispenser/core';
import {
  assertClock,
  assertCount,
  assertFunction,
  assertKnownKeys,
  assertObject,
  describeValue,
} from '@dispenser/core/internal';

/** Options of `DataBuffer`. */
export interface DataBufferOptions<K, V> {
  /**
   * Writes out the values of one key, oldest first (typically one database write). May be sync
   * or async; a throw or a rejection is a failed attempt. It must not change `values`. What it
   * returns is read as `await` would (`Promise.resolve(result)`): a thenable whose `then` throws
   * is a failed attempt, and only its first callback counts.
   */
  flush: (key: K, values: V[]) => void | PromiseLike<void>;
  /**
   * Receives the values of a key once `retryMax` attempts have failed, with the last error. When
   * it is missing, or itself throws or rejects, the values stay buffered (see `DataBuffer`).
   * Its result is read like `flush`'s.
   * @default undefined
   */
  onError?: (key: K, values: V[], error: unknown) => void | PromiseLike<void>;
  /**
   * Milliseconds between the first insert of a batch and its flush; a safe integer ≥ 0 (delays
   * above 2^31-1 ms are honoured, see `systemClock`).
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

/** Cumulative counters of a `DataBuffer`, from `DataBuffer.metrics`. */
export interface DataBufferMetrics {
  /** Values ever inserted. */
  inserted: number;
  /** Values whose `flush` succeeded. */
  flushed: number;
  /** Calls to `flush` that threw or rejected. */
  failedAttempts: number;
  /** Values accepted by `onError` (it returned, or its promise resolved). */
  handedToOnError: number;
  /**
   * Values held now, waiting or being flushed (or abandoned by an aborted `close`):
   * `inserted - flushed - handedToOnError`.
   */
  buffered: number;
}

/** Options of `DataBuffer.close`. */
export interface DataBufferCloseOptions {
  /**
   * Aborting it stops the wait: the close rejects with `signal.reason` at once, every timer is
   * cleared and no further flush starts (see `DataBuffer.close` for what happens to the values).
   */
  signal?: AbortSignal;
}

/** The option names of `DataBuffer`, checked by `assertKnownKeys`; the `satisfies` keeps them complete. */
const OPTION_KEYS = /*#__PURE__*/ Object.keys({
  flush: true,
  onError: true,
  interval: true,
  jitter: true,
  maxSize: true,
  partitions: true,
  retryDelay: true,
  retryMax: true,
  clock: true,
  random: true,
} satisfies Record<keyof DataBufferOptions<unknown, unknown>, true>);

const DEFAULTS = {
  interval: 5000,
  jitter: 0,
  maxSize: Number.POSITIVE_INFINITY,
  partitions: 1,
  retryDelay: 1000,
  retryMax: 3,
} as const;

/** {@link DataBufferOptions} with every default filled in, once checked. */
export type ResolvedDataBufferOptions<K, V> = Required<Omit<DataBufferOptions<K, V>, 'onError'>> & {
  readonly onError: DataBufferOptions<K, V>['onError'] | undefined;
};

/**
 * Checks the options of `new DataBuffer(options)` and fills in the defaults.
 *
 * @throws TypeError for a non-object, an unknown key (listing the known ones) or a value of the
 *   wrong type, naming the option as written (`options.flush`)
 * @throws RangeError naming the option and the value when a number is out of range
 * @example
 * ```ts
 * const { interval, maxSize } = resolveDataBufferOptions({ flush }); // 5000, Infinity
 * ```
 */
export function resolveDataBufferOptions<K, V>(options: DataBufferOptions<K, V>): ResolvedDataBufferOptions<K, V> {
  assertObject('options', options);
  assertKnownKeys('options', options, OPTION_KEYS);
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
  assertFunction('options.flush', flush);
  if (onError !== undefined) assertFunction('options.onError', onError);
  assertCount('options.interval', interval, 0);
  assertCount('options.jitter', jitter, 0);
  assertMaxSize('options.maxSize', maxSize);
  assertCount('options.partitions', partitions, 1);
  assertCount('options.retryDelay', retryDelay, 0);
  assertCount('options.retryMax', retryMax, 1);
  assertClock('options.clock', clock);
  assertFunction('options.random', random);
  return { flush, onError, interval, jitter, maxSize, partitions, retryDelay, retryMax, clock, random };
}

function assertMaxSize(name: string, value: unknown): asserts value is number {
  if (value === Number.POSITIVE_INFINITY) return;
  const message = `${name} must be a safe integer >= 1 or Infinity, received ${describeValue(value)}`;
  if (typeof value !== 'number') throw new TypeError(message);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(message);
}
