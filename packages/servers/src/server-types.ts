// The option and result types of the push servers, in a module of their own so nothing imports in a circle.
import type { DemandBuffer, DropReason, Subscriber } from '@dispenser/core';
import type { Monitor } from '@dispenser/monitored-buffer';

/** Options of {@link BufferServer} (and, with more, of `BatchingBufferServer`). */
export interface BufferServerOptions<E> {
  /**
   * The buffer holding events and demand, for example an `EventBuffer` with the `even`
   * strategy. The server owns it from now on. Its optional `capacity` lets `write()` wait for
   * room; its optional `prepend` is required by `redeliver: true`.
   */
  buffer: DemandBuffer<E, Subscriber<E>>;
  /**
   * Watches subscribers and reports them down. Subscriptions made with `subscribe()` are
   * always watched through their own `signal` instead.
   * @default signalMonitor (down when `subscriber.signal` aborts)
   */
  monitor?: Monitor<Subscriber<E>>;
  /**
   * Put the events a failed subscriber did not handle back at the head of the buffer, for the
   * other subscribers (at-least-once delivery). Needs a buffer with `prepend` that can take
   * events back (not one whose dispatcher broadcasts: the others already had them).
   * @default false
   */
  redeliver?: boolean;
  /**
   * Called with a `DeliveryError` (carrying the subscriber, the events and the `cause`) when a
   * subscriber fails on a batch; those events count as `failed` in `metrics()`. With
   * `redeliver: true` the events went back to the buffer and this is only a notification.
   * An error thrown by `onError` is reported on `console.error`.
   * @default report on `console.error` and keep serving (without `redeliver`; with it, nothing)
   */
  onError?: (error: unknown, subscriber: Subscriber<E>) => void;
  /**
   * Called with the events the buffer dropped (its drop strategy, also for redelivered events
   * that no longer fit) or discarded (a dispatcher threw them away), oldest first, so you can
   * log or dead-letter them. The arrays are built only when this is set. Needs a buffer that
   * reports its drops (`watchDrops`: `EventBuffer` and `DispatchingBuffer` do). An error it
   * throws is reported on `console.error`.
   * @default undefined (drops are only counted)
   */
  onDrop?: (events: E[], reason: DropReason, cause?: unknown) => void;
}

/** Options of `close()`. */
export interface ServerCloseOptions {
  /**
   * Aborting stops waiting for handler promises that have not settled: `close()` rejects with
   * the signal's reason, and the events of those handlers count as `failed` (or, with
   * `redeliver: true`, go back to the buffer).
   */
  signal?: AbortSignal;
}

/** Options of `write()`. */
export interface WriteOptions {
  /** Aborting stops waiting: the write rejects with the signal's reason; what was accepted stays. */
  signal?: AbortSignal;
  /**
   * Called each time more of the events are accepted, with the running total accepted so far;
   * after an abort, the last value it received is how many of the events are in the buffer.
   * An error it throws is reported on `console.error`.
   */
  onAccepted?: (accepted: number) => void;
}

/**
 * Cumulative counters of a server. At every quiet point (no handler promise pending) the books
 * balance: `appended = delivered + dropped + failed + buffered` (with `buffered` from `stats()`).
 * With a dispatcher that sends one event to several subscribers, `delivered` and `failed`
 * count copies, so the identity holds per copy.
 */
export interface ServerMetrics {
  /** Events taken in by `append` and `write`. */
  appended: number;
  /**
   * Events the buffer dropped by its drop strategy (including redelivered events that no
   * longer fit) or discarded (a dispatcher threw them away).
   */
  dropped: number;
  /** Events handed to subscribers that took them (not counting failed or given-back batches). */
  delivered: number;
  /** Events whose delivery failed and that did not go back to the buffer. */
  failed: number;
}

/** Buffered events, subscribed subscribers and outstanding demand. */
export interface ServerStats {
  buffered: number;
  subscribed: number;
  demand: number;
}
