// Errors defined by @dispenser/servers, each with a stable `code` (core's codes, like BUFFER_CLOSED, are reused as they are).
import { DispenserError } from '@dispenser/core';

/**
 * The stable codes of the errors this package defines (it also throws core's
 * `BufferClosedError`, code `BUFFER_CLOSED`).
 *
 * | code | thrown when |
 * | --- | --- |
 * | `DELIVERY_FAILED` | a subscriber's handler threw, its promise rejected, or it went down holding events |
 */
export const ServerErrorCode = {
  DELIVERY_FAILED: 'DELIVERY_FAILED',
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

  /**
   * @param events - the batch the subscriber failed on
   * @param options - `cause`: what went wrong; `redelivered`: whether the events were put back
   * @default options.redelivered false
   */
  constructor(events: E[], options: { cause?: unknown; redelivered?: boolean } = {}) {
    const what = `${events.length} event${events.length === 1 ? '' : 's'}`;
    const why = options.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      ServerErrorCode.DELIVERY_FAILED,
      `a subscriber failed on ${what}${why}${options.redelivered ? ' (redelivered)' : ''}`,
      'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'DeliveryError';
    this.events = events;
    this.redelivered = options.redelivered ?? false;
  }
}
