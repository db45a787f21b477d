// Test helper (not exported): a deterministic, work-conserving strategy for core's own tests.
import type { Assignment, AssignmentStrategy, ReadonlyDemands } from '../index';

/** Fills subscribers one after the other, in slot order: deterministic and contract-abiding. */
export const inOrder: AssignmentStrategy = {
  name: 'in-order',
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
};

/** A strategy that returns whatever `answer` computes, to break the contract on purpose. */
export function answering(name: string, answer: (demands: ReadonlyDemands<unknown>, eventCount: number) => unknown): AssignmentStrategy {
  return {
    name,
    assign: <S>(demands: ReadonlyDemands<S>, eventCount: number) =>
      answer(demands as ReadonlyDemands<unknown>, eventCount) as ReadonlyArray<Assignment<S>>,
  };
}
