// The vitest-only entry point, `@dispenser/testing-utils/vitest`: kept apart so that the main
// entry works with any test runner (and from CommonJS, where vitest cannot be required).
export { testAssignmentStrategy } from './test-assignment-strategy';

export type { TestAssignmentStrategyOptions } from './test-assignment-strategy';
