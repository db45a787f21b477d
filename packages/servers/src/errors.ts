// Errors defined by @dispenser/servers, each with a stable `code` (core's codes, like BUFFER_CLOSED, are reused as they are).
import { DispenserError } from '@dispenser/core';

/**
 * The stable codes of the errors this package defines (it also throws core's
 * `BufferClosedError`, code `BUFFER_CLOSED`).
 *
 * | code | class | thrown when |
 * | --- | --- | --- |
 * | `DELIVERY_FAILED` | {@link DeliveryError} | a subscriber's handler threw, its promise rejected, or it went down holding events |
 * | `FLUSH_FAILED` | {@link FlushError} | a `DataBuffer` flush found values that failed every attempt and no `onError` took |
 */
export const ServerErrorCode = {
  /** A subscriber's handler failed or it went down holding events ({@link DeliveryError}). */
  DELIVERY_FAILED: 'DELIVERY_FAILED',
  /** A `DataBuffer` flush left values that nobody took ({@link FlushError}). */
  FLUSH_FAILED: 'FLUSH_FAILED',
} as const;

/** One of the codes in {@link ServerErrorCode}. */
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/**
 * What `BufferServer` (and `BatchingBufferServer`) hand to `onError` when a subscriber fails on
 * a batch: its handler threw, the promise it returned rejected, or it went down (its signal
 * aborted) before the batch reached it. `cause` is what was thrown, the rejection reason or the
 * abort reason; `events` is the batch, in order.
 *
 * When the server was built with `redeliver: true`, the events were already put back at the head
 * of the buffer (`redelivered` is `true`) and `onError` is only a notification.
 *
 * @example
 * ```ts
 * const server = new BufferServer({
 *   buffer,
 *   onError(error, subscriber) {
 *     if (error instanceof DeliveryError && !error.redelivered) deadLetters.push(...error.events);
 *   },
 * });
 * ```
 */
export class DeliveryError<E = unknown> extends DispenserError {
  /** The events the subscriber failed on, oldest first. */
  readonly events: E[];
  /** Whether the events went back to the buffer (`redeliver: true`) rather than only to this error. */
  readonly redelivered: boolean;
  /** The subscriber that failed (`undefined` when not given). */
  readonly subscriber: unknown;

  /**
   * @param events - the batch the subscriber failed on
   * @param options - `cause`: what went wrong; `redelivered`: whether the events were put back;
   *   `subscriber`: who failed, named in the message (by its `name` or `id` when it has one)
   * @default options.redelivered false
   */
  constructor(events: E[], options: { cause?: unknown; redelivered?: boolean; subscriber?: unknown } = {}) {
    const what = `${events.length} event${events.length === 1 ? '' : 's'}`;
    const why = options.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      ServerErrorCode.DELIVERY_FAILED,
      `${describeSubscriber(options.subscriber)} failed on ${what}${why}${options.redelivered ? ' (redelivered)' : ''}`,
      'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'DeliveryError';
    this.events = events;
    this.redelivered = options.redelivered ?? false;
    this.subscriber = options.subscriber;
  }
}

/** Names a subscriber in a message: by its `name` or `id`, else by its class, else generically. */
function describeSubscriber(subscriber: unknown): string {
  if (subscriber === null || typeof subscriber !== 'object') return 'a subscriber';
  const { name, id } = subscriber as { name?: unknown; id?: unknown };
  if (typeof name === 'string' && name !== '') return `subscriber '${name}'`;
  if (typeof id === 'string' || typeof id === 'number') return `subscriber ${JSON.stringify(id)}`;
  const kind = (subscriber as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof kind === 'string' && kind !== '' && kind !== 'Object' ? `a subscriber (${kind})` : 'a subscriber';
}

/** The values of one key that could not be flushed, with the error that stopped them. */
export interface FlushFailure<K = unknown, V = unknown> {
  /** The key whose values could not be flushed. */
  readonly key: K;
  /** The values of that flush, still buffered under `key`. */
  readonly values: V[];
  /** What the last attempt threw or rejected with. */
  readonly error: unknown;
}

/**
 * Rejection of `DataBuffer`'s `flush(key)`, `flushAll()` and `close()`
 * when values of some keys failed every attempt and no `onError` took them (code
 * `'FLUSH_FAILED'`). Those values are still in the buffer (counted by `count(key)`); `failures`
 * lists them with the last error, and `cause` is the first failure's error.
 *
 * @example
 * ```ts
 * try { await buffer.close(); } catch (error) {
 *   if (error instanceof FlushError) for (const { key, values } of error.failures) await spill(key, values);
 * }
 * ```
 */
export class FlushError<K = unknown, V = unknown> extends DispenserError {
  /** Each key whose values could not be flushed, with those values and the last error. */
  readonly failures: readonly FlushFailure<K, V>[];

  /**
   * @param failures - the keys, values and last errors that nobody took
   */
  constructor(failures: readonly FlushFailure<K, V>[]) {
    super(
      ServerErrorCode.FLUSH_FAILED,
      `${failures.length} key(s) could not be flushed after every retry and no onError took the values; they stay buffered`,
      { cause: failures[0]?.error },
    );
    this.name = 'FlushError';
    this.failures = failures;
  }
}
