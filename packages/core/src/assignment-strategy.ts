// The contract of a pluggable assignment strategy.
import type { Demands, ReadonlyDemands } from './demands';

/**
 * Decides how many of `eventCount` events each subscriber gets.
 *
 * Contract (checked by `checkAssignmentStrategy` in `@dispenser/testing-utils`):
 * - `assign` never mutates `demands`;
 * - for every subscriber `s`: `assigned.get(s) + remaining.get(s) === demands.get(s)`;
 * - `assigned.total <= eventCount`.
 *
 * A *work-conserving* strategy also assigns `min(eventCount, demands.total)` events.
 *
 * @example
 * ```ts
 * // Everything to the first subscriber found, up to its demand.
 * const first: AssignmentStrategy = {
 *   name: 'first',
 *   assign(demands, eventCount) {
 *     const assigned = new Demands<typeof demands extends ReadonlyDemands<infer S> ? S : never>();
 *     const remaining = new Demands(demands);
 *     for (const [s, d] of demands) {
 *       const n = Math.min(d, eventCount);
 *       assigned.add(s, n);
 *       remaining.subtract(s, n);
 *       break;
 *     }
 *     return { assigned, remaining };
 *   },
 * };
 * ```
 */
export interface AssignmentStrategy {
  /** A short name for logs and benchmarks, for example `'even'`. */
  readonly name: string;
  /** Splits `eventCount` events over `demands`; see the interface's contract. */
  assign<S>(demands: ReadonlyDemands<S>, eventCount: number): { assigned: Demands<S>; remaining: Demands<S> };
}
