// A push server: events go to subscribers as soon as there is demand for them.
import type { DemandBuffer, Subscriber } from '@dispenser/core';
import type { Monitor } from '@dispenser/monitored-buffer';
import { BufferServerBase, type FlushPolicy } from './internal/buffer-server-base';

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

const immediately: FlushPolicy = { shouldAssign: () => true, close: () => undefined };

/**
 * Buffers events and pushes them to subscribers by demand: each subscriber's
 * `handleAssignedEvents(events, server)` is called synchronously with its share, as split by the
 * buffer's strategy.
 *
 * Two modes, as in the original: when there is more demand than events (*normal*), events go
 * out as soon as they are appended; when there are more events than demand (*overloaded*), they
 * wait in the buffer and go to whoever asks next, at once. With a split strategy (`even`,
 * `greedy`) the server therefore holds pending demand or buffered events, never both.
 *
 * A subscriber is *down* when its `signal` aborts (or the `monitor` says so), when its handler
 * throws, or when the promise the handler returned rejects: its demand is cancelled, it is
 * unsubscribed, and the batch it failed on goes to `onError` as a `DeliveryError` — or, with
 * `redeliver: true`, back to the head of the buffer for the others.
 *
 * **When to use:** fan-out of a stream of events to a changing set of workers, sockets or
 * ports, with bounded memory and counted drops. Use `subscribe()` for a pull-style consumer
 * (`for await`), `ask` for push-style subscribers, and `write` for a producer that should wait
 * instead of dropping.
 *
 * **Gotchas:** handlers run inside `append`/`ask`; one that calls back into the server only
 * changes its state, and the next delivery round starts after the current one. Handlers must
 * not modify the `events` array they get if `redeliver` or `onError` may need it. With
 * `redeliver: true` a redelivered event can reach a subscriber after newer ones.
 *
 * @example
 * ```ts
 * import { EventBuffer } from '@dispenser/core';
 * import { BufferServer } from '@dispenser/servers';
 * import { even } from '@dispenser/strategies';
 *
 * const server = new BufferServer<string>({
 *   buffer: new EventBuffer({ strategy: even, capacity: 10, dropStrategy: 'drop-oldest' }),
 * });
 * const worker = { handleAssignedEvents: (events: string[]) => console.log(events) };
 * server.ask(worker, 1);
 * server.append(['a', 'b', 'c', 'd', 'e']); // logs ['a']; returns 0 (nothing dropped)
 * server.stats();                           // { buffered: 4, subscribed: 1, demand: 0 }
 * await server.close();
 * ```
 */
export class BufferServer<E> extends BufferServerBase<E> {
  /**
   * @throws TypeError for a missing or malformed buffer, a bad `monitor`/`onError`, or
   *   `redeliver: true` with a buffer that has no `prepend`
   */
  constructor(options: BufferServerOptions<E>) {
    super(options, () => immediately);
  }
}
