export { ManualClock } from './manual-clock';
export { createFakeEvent, createFakeEvents } from './fake-event';
export { createSubscription } from './create-subscription';
export { eventually } from './eventually';
export { TestSubscriber } from './test-subscriber';
export { checkAssignmentStrategy } from './check-assignment-strategy';
export { fillInOrder } from './fill-in-order';
export { createSeededRandom } from './seeded-random';

export type { FakeEvent } from './fake-event';
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
