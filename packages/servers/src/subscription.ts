// The pull side of a server: an async-iterable stream of batches that keeps demand topped up.
import type { DropStrategy } from '@dispenser/core';

/**
 * Options of `subscribe()` on `BufferServer` and `BatchingBufferServer`.
 */
export interface SubscribeOptions {
  /**
   * Most events the subscription asks for at a time: asked at start, and the cap on demand plus
   * undelivered events it holds. A safe integer ≥ 1.
   * @default 1000
   */
  maxDemand?: number;
  /**
   * Once the consumer has taken enough batches that demand plus held events fall to this, the
   * subscription asks again up to `maxDemand`. A safe integer from 0 to `maxDemand`.
   * @default Math.floor(maxDemand * 0.75)
   */
  minDemand?: number;
  /** Aborting it unsubscribes and makes the waiting (or next) step of the loop reject with its reason. */
  signal?: AbortSignal;
}

/**
 * Events from a server as an async iterable of batches, with demand managed for you: it asks
 * `maxDemand` at start and asks again (up to `maxDemand` outstanding) once the outstanding
 * demand, counting the events it holds that the loop has not taken yet, falls to `minDemand`.
 * A slow consumer therefore never holds more than `maxDemand` undelivered events.
 *
 * **Ending:** `break` (or `return`) in a `for await` loop unsubscribes and puts the events the
 * subscription still held back at the head of the server's buffer, so other subscribers get
 * them. Aborting the `signal` does the same and rejects with the signal's reason.
 * `unsubscribe()` and the server's `close()` stop the demand but let the loop finish the
 * batches already handed to the subscription.
 *
 * **Streams:** an async iterable is a stream source as it is: `ReadableStream.from(subscription)`
 * or Node's `Readable.from(subscription)`; cancelling the stream unsubscribes, like `break`.
 *
 * @example
 * ```ts
 * for await (const batch of server.subscribe({ maxDemand: 100 })) {
 *   await save(batch);
 * }
 * ```
 */
export interface Subscription<E> extends AsyncIterable<E[]> {
  /**
   * Asks for `n` more events on top of the automatic demand (this can take the subscription
   * above `maxDemand`). Does nothing once the subscription stopped.
   *
   * @throws TypeError / RangeError when `n` is not a non-negative safe integer
   */
  ask(n: number): void;
  /**
   * Stops asking and cancels the outstanding demand; the loop still yields the batches already
   * handed over, then ends.
   *
   * @returns `false` when it had already stopped
   */
  unsubscribe(): boolean;
}

/** Options of `BroadcastServer.subscribe()`: those of a `Subscription`, plus the subscriber's own bound. */
export interface BroadcastSubscribeOptions extends SubscribeOptions {
  /** Most events held for it that it has not received yet. @default the server's capacity */
  capacity?: number;
  /** What it loses past its capacity. @default the server's drop strategy */
  dropStrategy?: DropStrategy;
}
