// The even strategy: max-min fair shares of the available events, the odd ones to random subscribers.
import type { Assignment, AssignmentStrategy, ReadonlyDemands } from '@dispenser/core';
import { splitStrategy } from './internal/assignment';
import { LazyShuffle } from './internal/sampling';
import type { RandomSource } from './internal/sampling';

/** Options of {@link createEven}. */
export interface EvenOptions {
  /**
   * Where the strategy gets randomness (numbers in [0, 1)) to pick who receives the events
   * that do not split evenly. Inject a seeded generator for reproducible tests.
   * @default Math.random
   */
  random?: () => number;
}

/**
 * Creates an even strategy: it spreads events over as many subscribers as possible.
 *
 * Every subscriber is offered the same *level* of events; one that asks for less than the level
 * gets all it asked for, and what it leaves goes to the others (max-min fairness). Events that
 * do not divide evenly go one each to randomly chosen subscribers. So every subscriber gets
 * `min(demand, level)` or `level + 1`, and `min(eventCount, demands.total)` events are assigned.
 *
 * **When to use:** to keep many consumers busy at once, for example workers that each asked for
 * a batch. Use {@link createGreedy} instead when fewer, fuller batches are better.
 *
 * **Gotchas:** the cost does not grow with subscribers that receive nothing: E events over S
 * subscribers cost O(min(E, S) · log S), reading the demands through their slots only (any
 * `ReadonlyDemands` works, from any copy of `@dispenser/core`).
 *
 * @param options - see {@link EvenOptions}
 * @returns a strategy named `'even'`
 * @throws TypeError when `options` is not an object or `options.random` is not a function
 * @see {@link even} for the instance that uses `Math.random`
 * @example
 * ```ts
 * import { Demands } from '@dispenser/core';
 * import { createEven } from '@dispenser/strategies';
 *
 * const strategy = createEven({ random: () => 0 }); // reproducible
 * const demands = new Demands<string>([['a', 10], ['b', 2], ['c', 3], ['d', 5]]);
 * strategy.assign(demands, 13); // [['a', 4], ['b', 2], ['c', 3], ['d', 4]] (level 4; 'b' and 'c' are filled)
 * ```
 */
export function createEven(options?: EvenOptions): AssignmentStrategy {
  return splitStrategy('even', options, (demands, eventCount, random) =>
    eventCount < demands.size ? spreadSingles(demands, eventCount, random) : waterFill(demands, eventCount, random),
  );
}

/**
 * The even strategy with `Math.random`; see {@link createEven}.
 *
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { even } from '@dispenser/strategies';
 *
 * const buffer = new EventBuffer<string, string>({ strategy: even, capacity: 100 });
 * ```
 */
export const even: AssignmentStrategy = /*#__PURE__*/ createEven();

/** Fewer events than subscribers: the level is 0, so `eventCount` distinct random subscribers get one each. */
function spreadSingles<S>(demands: ReadonlyDemands<S>, eventCount: number, random: RandomSource): Assignment<S>[] {
  const shuffle = new LazyShuffle(demands.size, random);
  const result = new Array<Assignment<S>>(eventCount);
  for (let i = 0; i < eventCount; i++) result[i] = [demands.subscriberAt(shuffle.next()), 1];
  return result;
}

/**
 * At least one event per subscriber but not enough for all. The water level is the largest `L`
 * with `Σ min(demand, L) ≤ eventCount`; everyone gets `min(demand, L)`, and the remainder goes one
 * each to random subscribers whose demand is above `L`. The level is found by bisection over the
 * slots (no copy, no sort): O(S log E), within the bound because S ≤ eventCount here.
 */
function waterFill<S>(demands: ReadonlyDemands<S>, eventCount: number, random: RandomSource): Assignment<S>[] {
  const count = demands.size;
  let most = 0;
  for (let i = 0; i < count; i++) most = Math.max(most, demands.amountAt(i));
  // Invariant: filled(low) ≤ eventCount < filled(high). An even share always fits, and since the
  // total exceeds eventCount, so does a level of `most` (or of eventCount + 1).
  let low = Math.floor(eventCount / count);
  let high = Math.min(most, eventCount + 1);
  if (filled(demands, count, low + 1) > eventCount) high = low + 1;
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (filled(demands, count, middle) <= eventCount) low = middle;
    else high = middle;
  }
  const level = low;
  const amounts = new Array<number>(count);
  const above: number[] = [];
  let left = eventCount;
  for (let i = 0; i < count; i++) {
    const demand = demands.amountAt(i);
    if (demand > level) {
      amounts[i] = level;
      above.push(i);
    } else {
      amounts[i] = demand;
    }
    left -= amounts[i] as number;
  }
  // `left` < above.length, because a level one higher would not fit.
  if (left > 0) {
    const shuffle = new LazyShuffle(above.length, random);
    for (; left > 0; left--) {
      const i = above[shuffle.next()] as number;
      amounts[i] = (amounts[i] as number) + 1;
    }
  }
  const result = new Array<Assignment<S>>(count);
  for (let i = 0; i < count; i++) result[i] = [demands.subscriberAt(i), amounts[i] as number];
  return result;
}

/** Events needed to give every subscriber `min(demand, level)`. */
function filled<S>(demands: ReadonlyDemands<S>, count: number, level: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += Math.min(demands.amountAt(i), level);
  return sum;
}
