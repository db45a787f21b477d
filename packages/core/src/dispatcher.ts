// GenStage's dispatcher contract, for strategies that look at the events themselves.

/**
 * Delivers `events` (never empty when sent by the dispatchers of `@dispenser/strategies`) to
 * `consumer`; what a {@link Dispatcher} is built with.
 *
 * @example
 * ```ts
 * const send: Send<number, string> = (consumer, events) => console.log(consumer, events);
 * ```
 */
export type Send<E, C> = (consumer: C, events: E[]) => void;

/**
 * Reports events a dispatcher threw away on purpose (for example a partition hash that returned
 * `null`), so the buffer driving it can count them and tell its drop listener. A
 * {@link DispatchingBuffer} passes one to its dispatcher factory, next to `send`.
 *
 * @example
 * ```ts
 * import { DispatchingBuffer } from '@dispenser/core';
 * import { PartitionDispatcher } from '@dispenser/strategies';
 *
 * const buffer = new DispatchingBuffer<number, string>({
 *   dispatcher: (send, discard) =>
 *     new PartitionDispatcher(send, { partitions: ['odd', 'even'], hash: (n) => (n < 0 ? null : [n, n % 2 ? 'odd' : 'even']), onDiscard: discard }),
 *   capacity: 100,
 * });
 * ```
 */
export type Discard<E> = (events: E[]) => void;

/**
 * An event-aware dispatcher (GenStage's `Dispatcher` behaviour) as a synchronous state machine.
 *
 * `subscribe`, `cancel` and `ask` return the demand to request upstream: how many more events
 * the dispatcher is ready to take. It is informational; {@link DispatchingBuffer} ignores it.
 * `dispatch` sends what it can through the `send` function the dispatcher was built with and
 * returns the events it could not take (the *leftovers*), which the caller keeps for later.
 *
 * **When to use:** when who gets an event depends on the event itself (partitioning, per-consumer
 * filters, broadcast) rather than on counts alone; otherwise an `AssignmentStrategy` with
 * `EventBuffer` is simpler. Wrap a dispatcher in a {@link DispatchingBuffer} to drive it from a
 * server.
 *
 * **Gotchas:** `send` is called only after the dispatcher has finished updating its state, so a
 * `send` that calls back into the dispatcher sees a consistent state; `send` must not throw.
 *
 * @example
 * ```ts
 * import { DemandDispatcher } from '@dispenser/strategies';
 *
 * const sent: Array<[string, number[]]> = [];
 * const dispatcher = new DemandDispatcher<number, string>((c, events) => sent.push([c, events]));
 * dispatcher.subscribe('a');
 * dispatcher.ask('a', 2);           // 2
 * dispatcher.dispatch([1, 2, 3]);   // [3]; sent = [['a', [1, 2]]]
 * ```
 * @see DispatchingBuffer
 */
export interface Dispatcher<E, C> {
  /**
   * Adds a consumer with no demand.
   *
   * @returns the demand to request upstream (0 for the dispatchers of `@dispenser/strategies`)
   * @throws when `options` are invalid or the consumer is already subscribed; nothing changes
   */
  subscribe(consumer: C, options?: Record<string, unknown>): number;
  /**
   * Removes a consumer; a consumer that is not subscribed is ignored.
   *
   * @returns the demand to request upstream (cancelling the slowest consumer of a broadcast can
   *   release demand)
   */
  cancel(consumer: C): number;
  /**
   * Adds `demand` for a subscribed consumer (0 is a no-op).
   *
   * @returns the demand to request upstream
   * @throws when the consumer is not subscribed or `demand` is not a non-negative safe integer
   */
  ask(consumer: C, demand: number): number;
  /**
   * Sends what it can through `send` and returns, in order, the events it did not take.
   */
  dispatch(events: E[]): E[];
  /** Optional inspection: total outstanding demand of the subscribed consumers. */
  demand?(): number;
  /** Optional inspection: whether `consumer` is subscribed. */
  has?(consumer: C): boolean;
  /**
   * Optional inspection: events the dispatcher took but holds back for later delivery (for
   * example the per-partition queues of a `PartitionDispatcher`); {@link DispatchingBuffer}
   * counts them as buffered.
   */
  buffered?(): number;
  /**
   * Optional: `true` when one event may go to several consumers (a broadcast). Events put back
   * into the buffer would then reach consumers that already had them, so servers refuse
   * `redeliver: true` over such a dispatcher.
   * @default false
   */
  readonly broadcasts?: boolean;
}
