// The even strategy: max-min fair shares of the available events, the odd ones to random subscribers.
import type { AssignmentStrategy, Demands, ReadonlyDemands } from '@dispenser/core';
import { assignAll, assignNone, prepare, settle } from './internal/assignment';
import { LazyShuffle, resolveRandom } from './internal/sampling';
import type { Assignment, Source } from './internal/assignment';
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
 * subscribers cost O(min(E, S) · log S) when `demands` is a core `Demands` (it relies on its O(1)
 * `clone()` and `subscriberAt()`). Any other `ReadonlyDemands` is copied first, in O(S).
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
 * const { assigned, remaining } = strategy.assign(demands, 13);
 * assigned.get('a'); // 4 (level 4; 'b' and 'c' are filled)
 * remaining.get('a'); // 6
 * ```
 */
export function createEven(options?: EvenOptions): AssignmentStrategy {
  const random = resolveRandom(options);
  return Object.freeze({
    name: 'even',
    assign<S>(demands: ReadonlyDemands<S>, eventCount: number): Assignment<S> {
      const source = prepare(demands, eventCount);
      const input = source.demands;
      const total = input.total;
      if (eventCount === 0 || total === 0) return assignNone(source);
      if (total <= eventCount) return assignAll(source);
      const size = input.size;
      if (eventCount < size) return spreadSingles(source, input, eventCount, random);
      return waterFill(source, input, eventCount, random);
    },
  });
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
export const even: AssignmentStrategy = createEven();

/** Fewer events than subscribers: the level is 0, so `eventCount` distinct random subscribers get one each. */
function spreadSingles<S>(source: Source<S>, input: Demands<S>, eventCount: number, random: RandomSource): Assignment<S> {
  const shuffle = new LazyShuffle(input.size, random);
  const subscribers = new Array<S>(eventCount);
  const amounts = new Array<number>(eventCount);
  for (let i = 0; i < eventCount; i++) {
    subscribers[i] = input.subscriberAt(shuffle.next()) as S;
    amounts[i] = 1;
  }
  return settle(source, subscribers, amounts);
}

/**
 * At least one event per subscriber but not enough for all: fill the smallest demands while they
 * fit under an even share, then give the rest the level and spread the remainder at random.
 * O(S log S), within the bound because S ≤ eventCount here.
 */
function waterFill<S>(source: Source<S>, input: Demands<S>, eventCount: number, random: RandomSource): Assignment<S> {
  const entries = Array.from(input);
  entries.sort((x, y) => x[1] - y[1]);
  const count = entries.length;
  const subscribers = new Array<S>(count);
  const amounts = new Array<number>(count);
  let left = eventCount;
  let first = 0;
  for (; first < count; first++) {
    const [subscriber, demand] = entries[first] as [S, number];
    if (demand > Math.floor(left / (count - first))) break;
    subscribers[first] = subscriber;
    amounts[first] = demand;
    left -= demand;
  }
  // Everyone from `first` on asks for more than the level (the loop stops before the end,
  // since the total exceeds eventCount).
  const unfilled = count - first;
  const level = Math.floor(left / unfilled);
  for (let i = first; i < count; i++) {
    subscribers[i] = (entries[i] as [S, number])[0];
    amounts[i] = level;
  }
  const shuffle = new LazyShuffle(unfilled, random);
  for (let extra = left - level * unfilled; extra > 0; extra--) {
    const i = first + shuffle.next();
    amounts[i] = (amounts[i] as number) + 1;
  }
  return settle(source, subscribers, amounts);
}
