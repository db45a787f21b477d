// The pull side of a RedisBuffer: batches as an async iterable, acked as the loop moves on.
import type { Subscription } from '@dispenser/servers';
import type { RedisDelivery } from './redis-buffer-types';

/**
 * Events of a `RedisBuffer` as an async iterable of batches. It asks Redis for `maxDemand`
 * events at start and asks again as batches are acked, so it never holds more than `maxDemand`
 * unacked events.
 *
 * **Acks:** a batch is acked when the loop asks for the next one, or when the loop ends with
 * `break`, `return` or an exception thrown in its body (JavaScript calls the same `return()` for
 * all three, so the batch in hand counts as handled: catch errors inside the loop body when a
 * failed batch must come back). Batches received but not yet taken by the loop are given back
 * for other consumers (they come again with a higher delivery count).
 *
 * **Ending:** aborting the `signal` makes the loop reject with its reason and gives back
 * everything unacked, the batch in hand included. `unsubscribe()` and the buffer's `close()` stop
 * reading; the loop still gets the batches already received, then ends.
 *
 * @example
 * ```ts
 * for await (const batch of buffer.subscribe({ maxDemand: 100 })) {
 *   await save(batch); // acked when the loop comes back for the next batch
 * }
 * ```
 */
export interface RedisSubscription<E> extends Subscription<E> {
  /** Where the batch in hand came from (entry ids and delivery counts); `undefined` between batches. */
  readonly delivery: RedisDelivery | undefined;
}
