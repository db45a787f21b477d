// `@dispenser/core/internal`: helpers the dispenser packages share. Unstable: not covered by semver.
export {
  assertBatch,
  assertClock,
  assertCount,
  assertDemandBuffer,
  assertDropStrategy,
  assertFunction,
  assertIterable,
  assertKnownKeys,
  assertObject,
  assertSignal,
  describeValue,
  readSignal,
} from './validate';
export { assertDemandFits, demandOverflow, renameDemandOverflow } from './demands';
export { assertValidAssignments } from './internal/assignment-check';
export { fnv1a } from './internal/fnv1a';
export { sleep } from './internal/sleep';
