/**
 * Fakes, a manual clock and test subscribers for code built on dispenser.
 *
 * @packageDocumentation
 * @module @dispenser/testing-utils
 */
export { ManualClock } from './manual-clock';
export { createFakeEvent, createFakeEvents } from './fake-event';
export { createSubscription } from './create-subscription';
export { eventually } from './eventually';
export { TestSubscriber } from './test-subscriber';
export { checkAssignmentStrategy } from './check-assignment-strategy';
export { fillInOrder } from './fill-in-order';
export { bareDemandBuffer } from './bare-demand-buffer';
export { createSeededRandom } from './seeded-random';

export type { FakeEvent } from './fake-event';
export type { DemandBufferExtra } from './bare-demand-buffer';
export type { FakeSubscription } from './create-subscription';
export type { EventuallyOptions } from './eventually';
export type { Delivery, FailureMode, TestSubscriberOptions, WaitOptions } from './test-subscriber';
export type {
  CheckAssignmentStrategyOptions,
  DemandsKind,
  StrategyCounterexample,
  StrategyProperty,
  StrategyViolation,
} from './check-assignment-strategy';
