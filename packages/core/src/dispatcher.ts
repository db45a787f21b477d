// GenStage's dispatcher contract, for strategies that look at the events themselves.

/** Delivers `events` to `consumer`; what a {@link Dispatcher} is built with. */
export type Send<E, C> = (consumer: C, events: E[]) => void;

/**
 * An event-aware dispatcher (GenStage's `Dispatcher` behaviour) as a state machine.
 *
 * `subscribe`, `cancel` and `ask` return the demand to request upstream (informational: a
 * {@link DispatchingBuffer} does not need it). `dispatch` sends what it can through the `send`
 * function the dispatcher was built with and returns the events it could not deliver.
 *
 * @example
 * ```ts
 * const sent: Array<[string, number[]]> = [];
 * const dispatcher = new DemandDispatcher<number, string>((c, events) => sent.push([c, events]));
 * dispatcher.subscribe('a');
 * dispatcher.ask('a', 2);
 * dispatcher.dispatch([1, 2, 3]); // [3]; sent = [['a', [1, 2]]]
 * ```
 */
export interface Dispatcher<E, C> {
  /** Adds a consumer; throws on bad options, leaving the dispatcher unchanged. */
  subscribe(consumer: C, options?: Record<string, unknown>): number;
  /** Removes a consumer. */
  cancel(consumer: C): number;
  /** Adds demand for a subscribed consumer. */
  ask(consumer: C, demand: number): number;
  /** Sends what it can and returns the leftover events. */
  dispatch(events: E[]): E[];
  /** Optional: total outstanding demand of the consumers, for `stats()`. */
  demand?(): number;
  /** Optional: whether `consumer` is subscribed. */
  has?(consumer: C): boolean;
}
