// The conformance kit as vitest tests: one line in a strategy's test file.
import type { AssignmentStrategy } from '@dispenser/core';
import { describe, it } from 'vitest';
import type { CheckAssignmentStrategyOptions } from './check-assignment-strategy';
import { defineStrategyTests } from './internal/define-strategy-tests';

/** Options of {@link testAssignmentStrategy}: those of `checkAssignmentStrategy`, plus a test timeout. */
export interface TestAssignmentStrategyOptions extends CheckAssignmentStrategyOptions {
  /**
   * Timeout of each registered test, in milliseconds.
   * @default vitest's `testTimeout`
   */
  readonly timeout?: number;
}

/**
 * Registers vitest tests that check `strategy` against the {@link AssignmentStrategy} contract:
 * a `describe` named after the strategy with one `it` per property of
 * `checkAssignmentStrategy`. A failing test lists every violation with its shrunk
 * counterexample and the seed and path that replay it.
 *
 * Call it at the top level of a test file (or inside a `describe`), not inside an `it`.
 *
 * **Gotchas:** it imports `vitest`, which must be installed (it is an optional peer
 * dependency); with another runner use `checkAssignmentStrategy` directly.
 *
 * @example
 * ```ts
 * // greedy.test.ts: the same one line checks your own strategy
 * import { greedy } from '@dispenser/strategies';
 * import { testAssignmentStrategy } from '@dispenser/testing-utils/vitest';
 *
 * testAssignmentStrategy(greedy, { runs: 200 });
 * ```
 */
export function testAssignmentStrategy(strategy: AssignmentStrategy, options: TestAssignmentStrategyOptions = {}): void {
  defineStrategyTests({ describe, it }, strategy, options);
}
