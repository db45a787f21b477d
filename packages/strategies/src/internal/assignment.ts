// What the split strategies share: argument checks and the two cases that need no strategy at all.
import type { Assignment, AssignmentStrategy, ReadonlyDemands } from '@dispenser/core';
import { assertCount, describeValue } from '@dispenser/core/internal';
import { resolveRandom, type RandomSource } from './sampling';

/** The answer when nothing can move; frozen, so one instance serves every call. */
const none: ReadonlyArray<Assignment<never>> = /*#__PURE__*/ Object.freeze([]);

/**
 * Splits `eventCount` events when they are fewer than the total demand (so some demand stays).
 * Reads `demands` through its slots only.
 */
export type Overload = <S>(demands: ReadonlyDemands<S>, eventCount: number, random: RandomSource) => Assignment<S>[];

/**
 * Checks what every strategy receives: an object with the slot accessors of `ReadonlyDemands`
 * (from any copy of core), and a count.
 *
 * @throws TypeError when `demands` is not a `ReadonlyDemands`
 * @throws TypeError / RangeError when `eventCount` is not a non-negative safe integer
 */
function assertInput<S>(demands: ReadonlyDemands<S>, eventCount: number): void {
  if (
    demands === null ||
    typeof demands !== 'object' ||
    typeof demands.subscriberAt !== 'function' ||
    typeof demands.amountAt !== 'function'
  ) {
    throw new TypeError(`demands must be a ReadonlyDemands (with subscriberAt and amountAt), received ${describeValue(demands)}`);
  }
  assertCount('eventCount', eventCount);
}

/** Every subscriber gets its whole demand: the case where the events cover all of it. */
function assignAll<S>(demands: ReadonlyDemands<S>): Assignment<S>[] {
  const count = demands.size;
  const result = new Array<Assignment<S>>(count);
  for (let i = 0; i < count; i++) result[i] = [demands.subscriberAt(i), demands.amountAt(i)];
  return result;
}

/**
 * A split strategy named `name`: validates its arguments, answers the two easy cases (nothing
 * to assign; enough events for all demand) itself, and leaves the overloaded case to `overload`.
 */
export function splitStrategy(name: string, options: { random?: RandomSource } | undefined, overload: Overload): AssignmentStrategy {
  const random = resolveRandom(options);
  return Object.freeze({
    name,
    assign<S>(demands: ReadonlyDemands<S>, eventCount: number): ReadonlyArray<Assignment<S>> {
      assertInput(demands, eventCount);
      const total = demands.total;
      if (eventCount === 0 || total === 0) return none;
      if (total <= eventCount) return assignAll(demands);
      return overload(demands, eventCount, random);
    },
  });
}
