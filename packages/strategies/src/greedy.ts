// The greedy strategy: subscribers in random order, each filled to its demand before the next.
import type { Assignment, AssignmentStrategy, ReadonlyDemands } from '@dispenser/core';
import { splitStrategy } from './internal/assignment';
import { LazyShuffle } from './internal/sampling';
import type { RandomSource } from './internal/sampling';

/** Options of {@link createGreedy}. */
export interface GreedyOptions {
  /**
   * Where the strategy gets randomness (numbers in [0, 1)) to order the subscribers.
   * Inject a seeded generator for reproducible tests.
   * @default Math.random
   */
  random?: () => number;
}

/**
 * Creates a greedy strategy: it takes subscribers in a random order and fills each one's whole
 * demand before moving on, until the events run out.
 *
 * At most one subscriber is left partly served; `min(eventCount, demands.total)` events are
 * assigned.
 *
 * **When to use:** when fewer, fuller batches are cheaper than many small ones (per-batch
 * overhead, batching writers). Use {@link createEven} to spread events over every subscriber.
 *
 * **Gotchas:** under overload some subscribers receive nothing in a given round; the random
 * order makes that fair over many rounds, not within one. Cost: O(k) for the k subscribers it
 * serves, reading the demands through their slots only.
 *
 * @param options - see {@link GreedyOptions}
 * @returns a strategy named `'greedy'`
 * @throws TypeError when `options` is not an object or `options.random` is not a function
 * @see {@link greedy} for the instance that uses `Math.random`
 * @example
 * ```ts
 * import { Demands } from '@dispenser/core';
 * import { createGreedy } from '@dispenser/strategies';
 *
 * const strategy = createGreedy({ random: () => 0 }); // reproducible
 * const demands = new Demands<string>([['a', 10], ['b', 10]]);
 * strategy.assign(demands, 16); // [['a', 10], ['b', 6]]
 * ```
 */
export function createGreedy(options?: GreedyOptions): AssignmentStrategy {
  return splitStrategy('greedy', options, fillInRandomOrder);
}

/** Subscribers in random order, each filled to its demand, until the events run out (they do first). */
function fillInRandomOrder<S>(demands: ReadonlyDemands<S>, eventCount: number, random: RandomSource): Assignment<S>[] {
  const shuffle = new LazyShuffle(demands.size, random);
  const result: Assignment<S>[] = [];
  for (let left = eventCount; left > 0; ) {
    const slot = shuffle.next();
    const count = Math.min(demands.amountAt(slot), left);
    result.push([demands.subscriberAt(slot), count]);
    left -= count;
  }
  return result;
}

/**
 * The greedy strategy with `Math.random`; see {@link createGreedy}.
 *
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { greedy } from '@dispenser/strategies';
 *
 * const buffer = new EventBuffer<string, string>({ strategy: greedy, capacity: 100 });
 * ```
 */
export const greedy: AssignmentStrategy = /*#__PURE__*/ createGreedy();
