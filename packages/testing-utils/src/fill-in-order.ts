// A deterministic reference strategy for tests: fills subscribers one after the other.
import type { Assignment, AssignmentStrategy, ReadonlyDemands } from '@dispenser/core';

/**
 * A correct, work-conserving and deterministic {@link AssignmentStrategy} that fills subscribers
 * one after the other, in slot order (the order they first asked, until one leaves).
 *
 * **When to use:** in tests of buffers and servers, where `even` and `greedy` would make the
 * split random; and as a known-good baseline for the conformance kit.
 *
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { fillInOrder } from '@dispenser/testing-utils';
 *
 * const buffer = new EventBuffer<string, string>({ strategy: fillInOrder, capacity: 10 });
 * buffer.ask('a', 2);
 * buffer.ask('b', 2);
 * buffer.append(['e1', 'e2', 'e3']);
 * buffer.assignEvents(); // [['a', ['e1', 'e2']], ['b', ['e3']]]
 * ```
 */
export const fillInOrder: AssignmentStrategy = /*#__PURE__*/ Object.freeze({
  name: 'fill-in-order',
  assign<S>(demands: ReadonlyDemands<S>, eventCount: number): Assignment<S>[] {
    const result: Assignment<S>[] = [];
    let left = eventCount;
    for (let i = 0; i < demands.size && left > 0; i++) {
      const count = Math.min(demands.amountAt(i), left);
      result.push([demands.subscriberAt(i), count]);
      left -= count;
    }
    return result;
  },
});
