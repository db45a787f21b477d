/**
 * Assignment strategies (`even`, `greedy`) and GenStage-style dispatchers (demand, broadcast, partition).
 *
 * @packageDocumentation
 * @module @dispenser/strategies
 */
export { createEven, even } from './even';
export { createGreedy, greedy } from './greedy';
export { DemandDispatcher } from './demand-dispatcher';
export { BroadcastDispatcher } from './broadcast-dispatcher';
export { PartitionDispatcher } from './partition-dispatcher';
export { AlreadySubscribedError, NotSubscribedError, PartitionTakenError, StrategiesErrorCode } from './errors';

export type { EvenOptions } from './even';
export type { GreedyOptions } from './greedy';
export type { DemandDispatcherOptions, DemandDispatcherWarning } from './demand-dispatcher';
export type { BroadcastSubscribeOptions } from './broadcast-dispatcher';
export type { PartitionDispatcherOptions, PartitionHash, PartitionSubscribeOptions } from './partition-dispatcher';
