// Registers conformance tests through a given describe/it pair, so the registration is testable.
import type { AssignmentStrategy } from '@dispenser/core';
import {
  checkAssignmentStrategy,
  defaultProperties,
  type CheckAssignmentStrategyOptions,
  type StrategyProperty,
} from '../check-assignment-strategy';

/** The subset of a test runner's API that {@link defineStrategyTests} needs. */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => void, timeout?: number): void;
}

const titles: Record<StrategyProperty, string> = {
  'valid-assignments': 'returns valid assignments (subscribers with demand, each once, counts from 1 to its demand, at most eventCount in all)',
  'work-conserving': 'assigns min(eventCount, demand total) events',
  deterministic: 'returns the same list for equal inputs',
};

/** Every violation of `violations`, as one failure message. */
export function formatViolations(name: string, messages: readonly string[]): string {
  return `strategy '${name}' broke its contract ${messages.length} time(s):\n\n${messages.join('\n\n')}`;
}

/**
 * Registers one `describe` for the strategy with one `it` per property, all sharing one seed so a
 * failing run can be replayed.
 */
export function defineStrategyTests(
  api: TestApi,
  strategy: AssignmentStrategy,
  options: CheckAssignmentStrategyOptions & { timeout?: number } = {},
): void {
  const { timeout, ...checkOptions } = options;
  const seed = checkOptions.seed ?? Math.floor(Math.random() * 0x7fffffff);
  const properties =
    checkOptions.properties ?? defaultProperties(checkOptions.workConserving ?? true, checkOptions.deterministic ?? false);
  api.describe(`AssignmentStrategy '${strategy.name}' conformance`, () => {
    for (const property of properties) {
      api.it(
        titles[property] ?? property,
        () => {
          const violations = checkAssignmentStrategy(strategy, { ...checkOptions, seed, properties: [property] });
          if (violations.length > 0) {
            throw new Error(formatViolations(strategy.name, violations.map((v) => v.message)));
          }
        },
        timeout,
      );
    }
  });
}
