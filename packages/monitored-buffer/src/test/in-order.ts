// Test helper (not exported): a deterministic strategy for the MonitoredBuffer tests.
import { Demands, type AssignmentStrategy, type ReadonlyDemands } from '@dispenser/core';

/** Fills subscribers in iteration order: enough of a strategy for these tests. */
export const inOrder: AssignmentStrategy = {
  name: 'in-order',
  assign<S>(demands: ReadonlyDemands<S>, eventCount: number) {
    const assigned = new Demands<S>();
    const remaining = new Demands<S>();
    let left = eventCount;
    for (const [subscriber, demand] of demands) {
      const take = Math.min(left, demand);
      left -= take;
      assigned.add(subscriber, take);
      remaining.add(subscriber, demand - take);
    }
    return { assigned, remaining };
  },
};
