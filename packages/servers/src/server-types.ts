// The option and result types of the push servers, in a module of their own so nothing imports in a circle.
import type { DemandBuffer, Subscriber } from '@dispenser/core';
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
   * other subscribers (at-least-once delivery). Needs a buffer with `prepend`.
   * @default false
   */
  redeliver?: boolean;
  /**
   * Called with a `DeliveryError` (carrying the events and the `cause`) when a subscriber
   * fails on a batch. Without `redeliver` this is where those events go; without `onError`
   * either, the error is rethrown from a microtask so it surfaces like an unhandled rejection.
   * @default undefined
   */
  onError?: (error: unknown, subscriber: Subscriber<E>) => void;
}

/** Options of `write()`. */
export interface WriteOptions {
  /** Aborting stops waiting: the write rejects with the signal's reason; what was accepted stays. */
  signal?: AbortSignal;
  /**
   * Called each time more of the events are accepted, with the running total accepted so far;
   * after an abort, the last value it received is how many of the events are in the buffer.
   * An error it throws is rethrown from a microtask.
   */
  onAccepted?: (accepted: number) => void;
}

/** Cumulative counters of a server. */
export interface ServerMetrics {
  /** Events taken in by `append` and `write`. */
  appended: number;
  /** Events the buffer dropped (including any that did not fit back in when redelivered). */
  dropped: number;
  /** Events handed to subscribers that took them (not counting failed or given-back batches). */
  delivered: number;
}

/** Buffered events, subscribed subscribers and outstanding demand. */
export interface ServerStats {
  buffered: number;
  subscribed: number;
  demand: number;
}
