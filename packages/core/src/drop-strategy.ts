// The drop strategies a full buffer can follow.

/**
 * What a full buffer does with values that do not fit.
 *
 * - `'drop-newest'` (the default everywhere): incoming values are rejected; the buffer is untouched.
 * - `'drop-oldest'`: the oldest buffered values are evicted to make room.
 *
 * The names match Node's stream drop policies. Every dropped value is counted by the call that
 * dropped it.
 */
export type DropStrategy = 'drop-newest' | 'drop-oldest';

/**
 * Why events left a buffer without being delivered: its {@link DropStrategy}, or `'discarded'`
 * (a dispatcher threw them away: a partition hash that returned `null`, an event the dispatcher
 * could not handle).
 */
export type DropReason = DropStrategy | 'discarded';

/**
 * Receives the events a buffer dropped or discarded, oldest first, with the reason, and for a
 * discard the error that caused it when there was one (for example what a partition hash threw).
 *
 * @example
 * ```ts
 * import type { DropListener } from '@dispenser/core';
 *
 * const deadLetters: unknown[] = [];
 * const onDrop: DropListener<unknown> = (events, reason) => {
 *   if (reason === 'discarded') deadLetters.push(...events);
 * };
 * ```
 */
export type DropListener<E> = (events: E[], reason: DropReason, cause?: unknown) => void;
