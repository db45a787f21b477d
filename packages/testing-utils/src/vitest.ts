// The vitest-only entry point, `@dispenser/testing-utils/vitest`: kept apart so that the main
// entry works with any test runner (and from CommonJS, where vitest cannot be required).
/**
 * The vitest conformance kit for assignment strategies.
 *
 * @packageDocumentation
 * @module @dispenser/testing-utils/vitest
 */
export { testAssignmentStrategy } from './test-assignment-strategy';

export type { TestAssignmentStrategyOptions } from './test-assignment-strategy';
