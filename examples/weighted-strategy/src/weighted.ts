// A custom assignment strategy: events split in proportion to each subscriber's weight, capped by
// its demand, with what a capped subscriber cannot take shared among the others.
import type { Assignment, AssignmentStrategy, ReadonlyDemands } from '@dispenser/core';

/** Options of {@link createWeighted}. */
export interface WeightedOptions {
  /**
   * The weight of a subscriber: a finite number above 0. Twice the weight, twice the share.
   * @default the subscriber's numeric `weight` property, or 1 when it has none
   */
  readonly weightOf?: (subscriber: unknown) => number;
}

/** One subscriber of the split: its demand, its weight and the count given to it so far. */
interface Share<S> {
  readonly subscriber: S;
  readonly demand: number;
  readonly weight: number;
  count: number;
  /** The part of its exact share that rounding down left out, in [0, 1). */
  fraction: number;
}

/** Reads `subscriber.weight` when it is a number; 1 otherwise. */
export function weightProperty(subscriber: unknown): number {
  if (typeof subscriber === 'object' && subscriber !== null && 'weight' in subscriber) {
    const { weight } = subscriber;
    if (typeof weight === 'number') return weight;
  }
  return 1;
}

/**
 * A strategy that splits events in proportion to the subscribers' weights, capped by demand
 * ("water-filling"): a subscriber that asks for less than its share gets all it asked for, and
 * the rest is split again among the others by weight. Work-conserving (it assigns
 * `min(eventCount, demands.total)` events) and deterministic: the events that rounding down
 * leaves over go one each to the subscribers with the largest remainders.
 *
 * @throws RangeError from `assign` when a weight is not a finite number above 0
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { createWeighted } from './weighted';
 *
 * const buffer = new EventBuffer<number, { name: string; weight: number }>({ strategy: createWeighted(), capacity: 100 });
 * const gold = { name: 'gold', weight: 3 };
 * const bronze = { name: 'bronze', weight: 1 };
 * buffer.ask(gold, 50);
 * buffer.ask(bronze, 50);
 * buffer.append([1, 2, 3, 4, 5, 6, 7, 8]);
 * buffer.assignEvents(); // gold gets 6 events, bronze 2
 * ```
 */
export function createWeighted(options: WeightedOptions = {}): AssignmentStrategy {
  const weightOf = options.weightOf ?? weightProperty;
  return {
    name: 'weighted',
    assign<S>(demands: ReadonlyDemands<S>, eventCount: number): Assignment<S>[] {
      const shares = readShares(demands, weightOf);
      fill(shares, Math.min(eventCount, demands.total));
      const result: Assignment<S>[] = [];
      for (const share of shares) if (share.count > 0) result.push([share.subscriber, share.count]);
      return result;
    },
  };
}

/** The weighted strategy with weights read from the subscribers' `weight` property. */
export const weighted: AssignmentStrategy = createWeighted();

/** Every subscriber with demand, in slot order, with its weight checked. */
function readShares<S>(demands: ReadonlyDemands<S>, weightOf: (subscriber: unknown) => number): Share<S>[] {
  const shares: Share<S>[] = [];
  for (let i = 0; i < demands.size; i++) {
    const subscriber = demands.subscriberAt(i);
    const weight = weightOf(subscriber);
    if (!(Number.isFinite(weight) && weight > 0)) {
      throw new RangeError(`weight must be a finite number > 0, received ${String(weight)} for the subscriber in slot ${String(i)}`);
    }
    shares.push({ subscriber, demand: demands.amountAt(i), weight, count: 0, fraction: 0 });
  }
  return shares;
}

/** Hands out `total` (at most the sum of the demands) over `shares`, setting their counts. */
function fill<S>(shares: Share<S>[], total: number): void {
  // Whoever asks for less than their share, relative to their weight, is filled first; each one
  // filled leaves a little more per unit of weight for the rest.
  const byNeed = [...shares].sort((a, b) => a.demand / a.weight - b.demand / b.weight);
  let left = total;
  let weightLeft = byNeed.reduce((sum, share) => sum + share.weight, 0);
  let next = 0;
  for (const share of byNeed) {
    if (left === 0 || share.demand > (left * share.weight) / weightLeft) break;
    share.count = share.demand;
    left -= share.demand;
    weightLeft -= share.weight;
    next++;
  }
  if (left === 0) return;

  // The others all want more than their share: each gets its share rounded down...
  const open = byNeed.slice(next);
  let rest = left;
  for (const share of open) {
    const exact = (left * share.weight) / weightLeft;
    share.count = Math.min(Math.floor(exact), share.demand, rest);
    share.fraction = exact - Math.floor(exact);
    rest -= share.count;
  }
  // ...and the events rounding left over go one each to the largest remainders.
  const byFraction = [...open].sort((a, b) => b.fraction - a.fraction);
  while (rest > 0) {
    let given = 0;
    for (const share of byFraction) {
      if (rest === 0) break;
      if (share.count < share.demand) {
        share.count++;
        rest--;
        given++;
      }
    }
    if (given === 0) break;
  }
}
