// The option and result types of the push servers, in a module of their own so nothing imports in a circle.
import type { AssignmentStrategy, Clock, DemandBuffer, DropReason, DropStrategy, Subscriber } from '@dispenser/core';
import type { Monitor, MonitoredBufferStats } from '@dispenser/monitored-buffer';

/**
 * Options of `BufferServer` (and, with more, of `BatchingBufferServer`): a `buffer`, or the
 * `capacity` (with `dropStrategy` and `strategy`) of an `EventBuffer` the server makes, plus the
 * options they share.
 */
export type BufferServerOptions<E> = (BufferOption<E> | BufferShorthand) & ServerOptions<E>;

/** The buffer a server drives, made by you. */
export interface BufferOption<E> {
  /**
   * The buffer holding events and demand, for example an `EventBuffer` with the `even`
   * strategy. The server owns it from now on. Its optional `capacity` lets `write()` wait for
   * room; its optional `prepend` is required by `redeliver: true`.
   */
  buffer: DemandBuffer<E, Subscriber<E>>;
  /** Not with `buffer`: give the capacity to the buffer you make. */
  capacity?: never;
  /** Not with `buffer`: give the drop strategy to the buffer you make. */
  dropStrategy?: never;
  /** Not with `buffer`: give the strategy to the buffer you make. */
  strategy?: never;
}

/** The buffer a server drives, made by the server: an `EventBuffer` with these settings. */
export interface BufferShorthand {
  /** Not with `capacity`: the server makes the buffer. */
  buffer?: never;
  /** Most events buffered; a safe integer ≥ 1. */
  capacity: number;
  /**
   * What happens to events that do not fit.
   * @default 'drop-newest'
   */
  dropStrategy?: DropStrategy;
  /**
   * How events are split over the subscribers' demand.
   * @default even (from `@dispenser/strategies`)
   */
  strategy?: AssignmentStrategy;
}

/** The options every push server takes, whichever way it gets its buffer. */
export interface ServerOptions<E> {
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

/** Options of `onIdle()`. */
export interface IdleOptions {
  /** Aborting stops waiting: `onIdle()` rejects with the signal's reason; the server is unchanged. */
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
export type ServerStats = MonitoredBufferStats;

/** Options of `BroadcastServer`. */
export interface BroadcastServerOptions<E> {
  /**
   * Most events held for one subscriber that it has not received yet (its *lag*), unless it
   * asked for another bound. A safe integer ≥ 1.
   */
  capacity: number;
  /**
   * What a subscriber whose lag would pass its capacity loses: `'drop-newest'` (it stops taking
   * new events until it catches up) or `'drop-oldest'` (its oldest unreceived events make room).
   * The default of every subscriber; each may ask for its own.
   * @default 'drop-newest'
   */
  dropStrategy?: DropStrategy;
  /**
   * How many of the latest events a new subscriber gets first (they count against its
   * capacity). A safe integer ≥ 0.
   * @default 0
   */
  replay?: number;
  /**
   * Watches subscribers and reports them down. Subscriptions made with `subscribe()` follow
   * their own `signal` instead.
   * @default signalMonitor (down when `subscriber.signal` aborts)
   */
  monitor?: Monitor<Subscriber<E>>;
  /**
   * Called with a `DeliveryError` when a subscriber fails on a batch (its handler threw or its
   * promise rejected); the subscriber is unsubscribed and those events count as `failed`.
   * @default report on `console.error` and keep serving
   */
  onError?: (error: unknown, subscriber: Subscriber<E>) => void;
  /**
   * Source of time, for the server's timers (it sets none today; accepted so that every server
   * takes a clock).
   * @default systemClock
   */
  clock?: Clock;
}

/** The bound of one subscriber of a `BroadcastServer`, chosen when it first asks. */
export interface BroadcastBound {
  /** Its own capacity. @default the server's */
  capacity?: number;
  /** Its own drop strategy. @default the server's */
  dropStrategy?: DropStrategy;
}

/** What `BroadcastServer.subscriberStats(subscriber)` returns. */
export interface SubscriberStats {
  /** Events held for it that it has not received yet. */
  lag: number;
  /** Events it lost to its bound (or that were held for it when it left), so far. */
  dropped: number;
  /** Events it received and took, so far. */
  delivered: number;
  /** Its outstanding demand. */
  demand: number;
}
