// Test helper (not exported): a known-good strategy for the conformance kit's own tests.
import { Demands, type AssignmentStrategy, type ReadonlyDemands } from '@dispenser/core';

/** A correct, work-conserving strategy: fills subscribers in iteration order. */
export const fillInOrder: AssignmentStrategy = {
  name: 'fill-in-order',
  assign<S>(demands: ReadonlyDemands<S>, eventCount: number) {
    const assigned = new Demands<S>();
    const remaining = new Demands<S>(demands);
    let left = eventCount;
    for (const [subscriber, demand] of demands) {
      if (left === 0) break;
      const n = Math.min(demand, left);
      assigned.add(subscriber, n);
      remaining.subtract(subscriber, n);
      left -= n;
    }
    return { assigned, remaining };
  },
};
