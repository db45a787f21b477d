// The contract of a pluggable assignment strategy: a list of decisions, checked by the buffer.
import type { ReadonlyDemands } from './demands';

/** One decision of a strategy: give the next `count` buffered events to `subscriber`. */
export type Assignment<S> = readonly [subscriber: S, count: number];

/**
 * Decides who gets how many of `eventCount` buffered events.
 *
 * `assign` reads `demands` (it cannot change them) and returns a list of `[subscriber, count]`
 * pairs. The buffer hands out its events in list order, each subscriber a FIFO slice of `count`
 * events, then subtracts the counts from the demands itself. The contract, checked by
 * `EventBuffer` in O(list length) before anything changes (a broken rule throws
 * `StrategyContractError` naming it, with events and demands left as they were):
 *
 * - the result is an array of `[subscriber, count]` pairs;
 * - every subscriber has demand, and appears at most once;
 * - every count is an integer with `1 <= count <= demands.get(subscriber)`;
 * - the counts sum to at most `eventCount`.
 *
 * A *work-conserving* strategy assigns `min(eventCount, demands.total)` events. `[]` is a valid
 * answer (nothing moves this time).
 *
 * **When to use:** to decide fairness yourself (priorities, weights, stickiness). Check your
 * strategy with `checkAssignmentStrategy` from `@dispenser/testing-utils`.
 *
 * **Gotchas:** `demands` may come from another copy of `@dispenser/core` (an ESM and a CommonJS
 * build side by side): use only the members of {@link ReadonlyDemands}, never `instanceof`.
 * Walk slots with `subscriberAt`/`amountAt` to avoid allocating.
 *
 * @example
 * ```ts
 * import { EventBuffer, type Assignment, type AssignmentStrategy, type ReadonlyDemands } from '@dispenser/core';
 *
 * // Fill subscribers one after the other, in slot order.
 * const inOrder: AssignmentStrategy = {
 *   name: 'in-order',
 *   assign<S>(demands: ReadonlyDemands<S>, eventCount: number): Assignment<S>[] {
 *     const result: Assignment<S>[] = [];
 *     let left = eventCount;
 *     for (let i = 0; i < demands.size && left > 0; i++) {
 *       const count = Math.min(demands.amountAt(i), left);
 *       result.push([demands.subscriberAt(i), count]);
 *       left -= count;
 *     }
 *     return result;
 *   },
 * };
 *
 * const buffer = new EventBuffer<string, string>({ strategy: inOrder, capacity: 10 });
 * buffer.ask('a', 2);
 * buffer.ask('b', 5);
 * buffer.append(['e1', 'e2', 'e3']);
 * buffer.assignEvents(); // [['a', ['e1', 'e2']], ['b', ['e3']]]
 * ```
 */
export interface AssignmentStrategy {
  /** A short name for logs, errors and benchmarks, for example `'even'`. */
  readonly name: string;
  /** Splits `eventCount` events over `demands`; see the interface's contract. */
  assign<S>(demands: ReadonlyDemands<S>, eventCount: number): ReadonlyArray<Assignment<S>>;
}
