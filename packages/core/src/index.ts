/**
 * Bounded queues and ring buffers, demand tracking, and the buffers that hand events to subscribers by demand, with counted drops.
 *
 * @packageDocumentation
 * @module @dispenser/core
 */
export { DispenserError, BufferFullError, BufferEmptyError, BufferClosedError, StrategyContractError, ErrorCode } from './errors';
export { LimitedQueue } from './limited-queue';
export { RingBuffer } from './ring-buffer';
export { Demands } from './demands';
export { EventBuffer } from './event-buffer';
export { DispatchingBuffer } from './dispatching-buffer';
export { systemClock } from './clock';

export type { DropListener, DropReason, DropStrategy } from './drop-strategy';
export type { ReadonlyDemands } from './demands';
export type { Assignment, AssignmentStrategy } from './assignment-strategy';
export type { StrategyContractRule } from './errors';
export type { BufferStats, DemandBuffer } from './demand-buffer';
export type { EventBufferOptions } from './event-buffer';
export type { Discard, Dispatcher, Send } from './dispatcher';
export type { DispatchingBufferOptions } from './dispatching-buffer';
export type { Clock } from './clock';
export type { Subscriber } from './subscriber';
