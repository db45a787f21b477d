// Inputs and results shared by the split strategies: argument checks, O(1) clones, O(picks) results.
import { Demands, assertCount, describeValue } from '@dispenser/core';
import type { AssignmentStrategy, ReadonlyDemands } from '@dispenser/core';
import { resolveRandom, type RandomSource } from './sampling';

/** What `AssignmentStrategy.assign` returns. */
export interface Assignment<S> {
  assigned: Demands<S>;
  remaining: Demands<S>;
}

/**
 * The demands a strategy works on: the input itself when it is a core `Demands` (O(1) clone and
 * slot access), otherwise a copy built by iterating it once (O(size)).
 */
export interface Source<S> {
  demands: Demands<S>;
  /** True when `demands` is a private copy the strategy may change. */
  owned: boolean;
}

/**
 * Validates the arguments every strategy receives and picks the {@link Source} to read.
 *
 * @throws TypeError when `demands` is not an object
 * @throws TypeError / RangeError when `eventCount` is not a non-negative safe integer
 */
function prepare<S>(demands: ReadonlyDemands<S>, eventCount: number): Source<S> {
  if (demands === null || typeof demands !== 'object') {
    throw new TypeError(`demands must be a ReadonlyDemands, received ${describeValue(demands)}`);
  }
  assertCount('eventCount', eventCount);
  if (demands instanceof Demands) return { demands, owned: false };
  return { demands: new Demands<S>(demands), owned: true };
}

/**
 * Builds the result of a strategy from the per-subscriber amounts it picked: `assigned` holds
 * them, `remaining` is `source` minus them. Costs O(picks) for a core `Demands` input.
 *
 * `subscribers[i]` receives `amounts[i]` (> 0, at most its demand; each subscriber at most once).
 */
export function settle<S>(
  source: Source<S>,
  subscribers: readonly S[],
  amounts: readonly number[],
): Assignment<S> {
  const assigned = new Demands<S>();
  const remaining = source.owned ? source.demands : source.demands.clone();
  for (let i = 0; i < subscribers.length; i++) {
    const subscriber = subscribers[i] as S;
    const amount = amounts[i] as number;
    assigned.add(subscriber, amount);
    remaining.subtract(subscriber, amount);
  }
  return { assigned, remaining };
}

/** The result when every demand can be met: all of it is assigned, nothing remains. */
function assignAll<S>(source: Source<S>): Assignment<S> {
  return {
    assigned: source.owned ? source.demands : source.demands.clone(),
    remaining: new Demands<S>(),
  };
}

/** The result when nothing can be assigned. */
function assignNone<S>(source: Source<S>): Assignment<S> {
  return {
    assigned: new Demands<S>(),
    remaining: source.owned ? source.demands : source.demands.clone(),
  };
}

/**
 * Splits `eventCount` events when they are fewer than the total demand (so some demand stays);
 * `input` is `source.demands`, never mutated.
 */
export type Overload = <S>(source: Source<S>, input: Demands<S>, eventCount: number, random: RandomSource) => Assignment<S>;

/**
 * A split strategy named `name`: validates its arguments, handles the two easy cases (nothing to
 * assign; enough events for all demand) in O(1), and leaves the overloaded case to `overload`.
 */
export function splitStrategy(name: string, options: { random?: RandomSource } | undefined, overload: Overload): AssignmentStrategy {
  const random = resolveRandom(options);
  return Object.freeze({
    name,
    assign<S>(demands: ReadonlyDemands<S>, eventCount: number): Assignment<S> {
      const source = prepare(demands, eventCount);
      const total = source.demands.total;
      if (eventCount === 0 || total === 0) return assignNone(source);
      if (total <= eventCount) return assignAll(source);
      return overload(source, source.demands, eventCount, random);
    },
  });
}
