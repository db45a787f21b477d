// The contract servers drive: a buffer of events that also tracks subscriber demand.
import type { DropListener } from './drop-strategy';

/** What a {@link DemandBuffer} holds right now. */
export interface BufferStats {
  /** Events in the buffer, not yet assigned to a subscriber. */
  buffered: number;
  /** Demand the subscribers asked for that no event has met yet, summed over subscribers. */
  demand: number;
}

/**
 * Buffered events plus subscriber demand: what `BufferServer` and `MonitoredBuffer` drive.
 * {@link EventBuffer} (count strategies) and {@link DispatchingBuffer} (GenStage dispatchers)
 * implement it.
 *
 * @example
 * ```ts
 * const buffer: DemandBuffer<string, string> = new EventBuffer({ strategy: even, capacity: 100 });
 * buffer.append(['a', 'b']);
 * buffer.ask('worker-1', 1);
 * buffer.assignEvents(); // [['worker-1', ['a']]]
 * ```
 */
export interface DemandBuffer<E, S> {
  /** Adds events; returns how many were dropped. */
  append(events: readonly E[]): number;
  /** Adds demand for `subscriber`; 0 is a no-op. */
  ask(subscriber: S, demand: number): void;
  /** Removes the events it assigns and the demand they meet; `[]` when nothing can move. */
  assignEvents(): Array<[S, E[]]>;
  /** Cancels the subscriber's remaining demand. */
  delete(subscriber: S): void;
  /** Number of buffered events. */
  readonly size: number;
  /** Buffered events and total outstanding demand. */
  stats(): BufferStats;
  /**
   * Optional: puts events back at the head of the buffer, oldest first (used for redelivery).
   * Returns how many were dropped.
   */
  prepend?(events: readonly E[]): number;
  /** Optional: the capacity, so writers can wait for room. */
  readonly capacity?: number | undefined;
  /**
   * Optional fast path: `append(events)` then `assignEvents()` in one call, pushing the pairs
   * into `into` and returning how many events were dropped. A buffer can then hand events out
   * without storing them first. When the assignment throws, the events must be buffered as
   * `append(events)` alone would have left them.
   */
  appendAndAssign?(events: readonly E[], into: Array<[S, E[]]>): number;
  /**
   * Optional: from now on, call `listener` with the events the buffer drops (by its drop
   * strategy) or discards (a dispatcher threw them away), `undefined` to stop. One listener at a
   * time. A buffer builds the arrays of dropped events only while a listener is set. Servers
   * need it for their `onDrop` option.
   */
  watchDrops?(listener: DropListener<E> | undefined): void;
  /**
   * Optional: how many events the buffer has discarded so far: events taken out neither by
   * `assignEvents` nor by the drop strategy (a partition hash that returns `null`, an event a
   * dispatcher cannot handle). Servers count them as dropped, so their books balance.
   */
  readonly discarded?: number | undefined;
  /**
   * Optional: `false` when putting events back with `prepend` would hand them again to
   * subscribers that already had them (a dispatcher that sends each event to several
   * subscribers). Servers refuse `redeliver: true` then.
   * @default true
   */
  readonly supportsRedelivery?: boolean | undefined;
}
