// Everything BufferServer and BatchingBufferServer share; they differ only in their flush policy.
import {
  assertCount,
  assertFunction,
  assertIterable,
  assertObject,
  assertSignal,
  BufferClosedError,
  describeValue,
  type DemandBuffer,
  type Subscriber,
} from '@dispenser/core';
import { MonitoredBuffer, signalMonitor } from '@dispenser/monitored-buffer';
import { DeliveryError } from '../errors';
import type { BufferServerOptions, ServerMetrics, ServerStats, WriteOptions } from '../buffer-server';
import type { Subscription, SubscribeOptions } from '../subscription';
import { isThenable, rethrowLater } from './async';
import { PendingWrites } from './pending-writes';
import { ServerSubscription, type SubscriptionHost } from './server-subscription';

/** Decides when a server assigns events: at once, or by batch size and timer. */
export interface FlushPolicy {
  /** Events or demand just arrived and `buffered` events wait: assign now? May arm a timer instead. */
  shouldAssign(buffered: number): boolean;
  /** Cancels any timer; called once, by `close()`. */
  close(): void;
}

/** Builds the policy; `flush` assigns whatever can be assigned now (for timers). */
export type FlushPolicyFactory = (flush: () => void) => FlushPolicy;

function assertSubscriber(value: unknown): asserts value is Subscriber<unknown> {
  if (
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { handleAssignedEvents?: unknown }).handleAssignedEvents !== 'function'
  ) {
    throw new TypeError(`subscriber must be an object with a handleAssignedEvents method, received ${describeValue(value)}`);
  }
}

/**
 * The machinery of a push server over a {@link MonitoredBuffer}.
 *
 * State changes (append, ask, unsubscribe, failures) are applied at once; assignment and
 * delivery happen in *rounds*: `assignEvents()` takes everything that can go now, then each
 * pair is handed to its subscriber. A handler that appends, asks or unsubscribes while being
 * called only changes the state; the next round starts after the current one ends, so no round
 * runs inside another and every assigned event is handed over exactly once.
 */
export abstract class BufferServerBase<E> {
  readonly #buffer: DemandBuffer<E, Subscriber<E>>;
  readonly #monitored: MonitoredBuffer<E, Subscriber<E>>;
  readonly #policy: FlushPolicy;
  readonly #redeliver: boolean;
  readonly #onError: ((error: unknown, subscriber: Subscriber<E>) => void) | undefined;
  readonly #writes = new PendingWrites<E>(rethrowLater);
  readonly #subscriptions = new Set<ServerSubscription<E>>();
  readonly #inflight = new Set<Promise<void>>();
  /** Subscribers that went down or failed during the current round, with why. */
  readonly #fallen = new Map<Subscriber<E>, unknown>();
  readonly #host: SubscriptionHost<E>;
  readonly #accept = (events: readonly E[]): void => {
    this.#appended += events.length;
    this.#dropped += this.#monitored.append(events);
  };
  #appended = 0;
  #dropped = 0;
  #delivered = 0;
  #running = false;
  #needAssign = false;
  #inRound = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  /**
   * @throws TypeError for a missing or malformed buffer, a bad `monitor`/`onError`, or
   *   `redeliver: true` with a buffer that has no `prepend`
   */
  protected constructor(options: BufferServerOptions<E>, policy: FlushPolicyFactory) {
    assertObject('options', options);
    const { buffer, monitor = signalMonitor, redeliver = false, onError } = options;
    assertFunction('options.monitor', monitor);
    if (onError !== undefined) assertFunction('options.onError', onError);
    if (typeof redeliver !== 'boolean') {
      throw new TypeError(`options.redeliver must be a boolean, received ${describeValue(redeliver)}`);
    }
    this.#monitored = new MonitoredBuffer<E, Subscriber<E>>(buffer, {
      monitor: (subscriber, down) =>
        subscriber instanceof ServerSubscription && this.#subscriptions.has(subscriber) ? undefined : monitor(subscriber, down),
      onDown: (subscriber, _ref, reason) => {
        if (this.#inRound) this.#fallen.set(subscriber, reason);
      },
    });
    if (redeliver && typeof buffer.prepend !== 'function') {
      throw new TypeError('options.redeliver needs a buffer with a prepend method (EventBuffer has one)');
    }
    this.#buffer = buffer;
    this.#redeliver = redeliver;
    this.#onError = onError;
    this.#policy = policy(() => {
      if (this.#closed) return;
      this.#needAssign = true;
      this.#run();
    });
    this.#host = {
      ask: (subscription, amount) => this.ask(subscription, amount),
      unsubscribe: (subscription) => this.unsubscribe(subscription),
      restore: (events) => this.#restore(events),
    };
  }

  /**
   * Adds events and hands out at once what the current demand (and the flush policy) allows.
   *
   * @returns how many events the buffer dropped (`0` for `[]`)
   * @throws BufferClosedError after `close()`; TypeError when `events` is not iterable
   */
  append(events: readonly E[]): number {
    this.#assertOpen();
    assertIterable('events', events);
    const batch: readonly E[] = Array.isArray(events) ? events : Array.from(events);
    if (batch.length === 0) return 0;
    this.#appended += batch.length;
    const dropped = this.#monitored.append(batch);
    this.#dropped += dropped;
    this.#input();
    return dropped;
  }

  /**
   * Adds events without ever dropping: waits until the buffer has room for them (as subscribers
   * take events), oldest waiting write first, and resolves once all are accepted.
   *
   * **Gotchas:** room comes from the buffer's `capacity`; a buffer without one is treated as
   * unbounded (the events are appended at once, and anything it drops is counted in
   * `metrics().dropped`). `append` does not wait its turn behind writes. On a `'drop-oldest'`
   * buffer a later `append` may still evict events a write placed.
   *
   * @returns a promise that resolves once every event is in the buffer; it rejects with the
   *   signal's reason on abort (events accepted before stay; `onAccepted` told you how many),
   *   or with `BufferClosedError` on `close()`
   * @throws TypeError (as a rejection) when `events` is not iterable
   */
  write(events: readonly E[], options: WriteOptions = {}): Promise<void> {
    try {
      this.#assertOpen();
      assertIterable('events', events);
      assertObject('options', options);
      assertSignal('options.signal', options.signal);
      if (options.onAccepted !== undefined) assertFunction('options.onAccepted', options.onAccepted);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal, onAccepted } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const batch: readonly E[] = Array.isArray(events) ? events : Array.from(events);
    if (batch.length === 0) return Promise.resolve();
    const done = this.#writes.add(batch, signal, onAccepted);
    this.#run();
    return done;
  }

  /**
   * Adds demand for `subscriber` (subscribing and monitoring it) and hands it buffered events at
   * once when there are some. An amount of 0 does nothing.
   *
   * @throws BufferClosedError after `close()`; TypeError for a subscriber without
   *   `handleAssignedEvents`; TypeError / RangeError for a bad amount (nothing changes)
   */
  ask(subscriber: Subscriber<E>, amount: number): void {
    this.#assertOpen();
    assertSubscriber(subscriber);
    assertCount('amount', amount);
    if (amount === 0) return;
    this.#monitored.ask(subscriber, amount);
    this.#input();
  }

  /**
   * Unsubscribes `subscriber`: stops monitoring it and cancels its remaining demand. Events
   * already assigned to it in the round under way are still handed to it.
   *
   * @returns `false` when it was not subscribed
   */
  unsubscribe(subscriber: Subscriber<E>): boolean {
    const removed = this.#monitored.delete(subscriber);
    if (subscriber instanceof ServerSubscription && this.#subscriptions.delete(subscriber)) subscriber.drain();
    return removed;
  }

  /**
   * Subscribes a new consumer and returns its events as an async iterable of batches, with
   * demand kept between `minDemand` and `maxDemand` for you; see {@link Subscription}.
   *
   * @throws BufferClosedError after `close()`; TypeError / RangeError for bad options
   *   (`minDemand` above `maxDemand` included)
   */
  subscribe(options: SubscribeOptions = {}): Subscription<E> {
    this.#assertOpen();
    assertObject('options', options);
    const { maxDemand = 1000, signal } = options;
    assertCount('options.maxDemand', maxDemand, 1);
    const minDemand = options.minDemand ?? Math.floor(maxDemand * 0.75);
    assertCount('options.minDemand', minDemand);
    if (minDemand > maxDemand) {
      throw new RangeError(`options.minDemand must be at most maxDemand (${maxDemand}), received ${describeValue(minDemand)}`);
    }
    assertSignal('options.signal', signal);
    const subscription = new ServerSubscription<E>(this.#host, maxDemand, minDemand, signal);
    if (!signal?.aborted) this.#subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  /** Buffered events, subscribed subscribers and outstanding demand: exactly `{ buffered, subscribed, demand }`. */
  stats(): ServerStats {
    return this.#monitored.stats();
  }

  /** Cumulative counters: exactly `{ appended, dropped, delivered }`. */
  metrics(): ServerMetrics {
    return { appended: this.#appended, dropped: this.#dropped, delivered: this.#delivered };
  }

  /**
   * Shuts the server down: hands out what the current demand can take (without waiting for a
   * batching timer), rejects waiting writes with `BufferClosedError`, unsubscribes everyone
   * (subscriptions end after the batches they already hold) and resolves once no promise
   * returned by a handler is pending. Later `append`, `write`, `ask` and `subscribe` throw
   * `BufferClosedError`. Events nobody asked for stay in the buffer you passed in.
   * Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Same as {@link BufferServerBase.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    this.#policy.close();
    this.#needAssign = true;
    try {
      this.#run();
    } finally {
      this.#closed = true;
      this.#writes.rejectAll(new BufferClosedError('the server was closed before the write was accepted'));
      for (const subscriber of [...this.#monitored.subscribers()]) {
        try {
          this.unsubscribe(subscriber);
        } catch (error) {
          rethrowLater(error);
        }
      }
      for (const subscription of this.#subscriptions) subscription.drain();
      this.#subscriptions.clear();
    }
    while (this.#inflight.size > 0) await Promise.all(this.#inflight);
  }

  #assertOpen(): void {
    if (this.#closed) throw new BufferClosedError('the server is closed');
  }

  /** Events or demand arrived: let the policy decide whether to assign, then run. */
  #input(): void {
    if (this.#closed) return;
    if (this.#policy.shouldAssign(this.#buffer.size)) this.#needAssign = true;
    this.#run();
  }

  /** Runs rounds and admits waiting writes until nothing is left to do; never nests. */
  #run(): void {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        if (this.#needAssign) {
          this.#needAssign = false;
          this.#round();
        } else if (!this.#writes.waiting || !this.#admit()) {
          break;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Moves events of waiting writes into the room the buffer has; true when some moved. */
  #admit(): boolean {
    const capacity = this.#buffer.capacity;
    const room = capacity === undefined ? Number.POSITIVE_INFINITY : capacity - this.#buffer.size;
    if (room <= 0 || this.#closed) return false;
    if (this.#writes.admit(room, this.#accept) === 0) return false;
    if (this.#policy.shouldAssign(this.#buffer.size)) this.#needAssign = true;
    return true;
  }

  /** One round: assign, then hand each batch over. */
  #round(): void {
    const assignments = this.#monitored.assignEvents();
    if (assignments.length === 0) return;
    this.#inRound = true;
    try {
      for (let i = 0; i < assignments.length; i++) {
        const [subscriber, events] = assignments[i] as [Subscriber<E>, E[]];
        this.#deliver(subscriber, events);
      }
    } finally {
      this.#inRound = false;
      this.#fallen.clear();
    }
  }

  #deliver(subscriber: Subscriber<E>, events: E[]): void {
    if (this.#fallen.size > 0 && this.#fallen.has(subscriber)) {
      this.#fail(subscriber, events, this.#fallen.get(subscriber));
      return;
    }
    let result: void | Promise<void>;
    try {
      result = subscriber.handleAssignedEvents(events, this);
    } catch (error) {
      this.#fail(subscriber, events, error);
      return;
    }
    this.#delivered += events.length;
    if (isThenable(result)) this.#track(subscriber, events, result);
  }

  /** Watches the promise a handler returned; a rejection makes the subscriber fail on its batch. */
  #track(subscriber: Subscriber<E>, events: E[], result: PromiseLike<unknown>): void {
    const settled: Promise<void> = Promise.resolve(result).then(
      () => {
        this.#inflight.delete(settled);
      },
      (error: unknown) => {
        this.#inflight.delete(settled);
        this.#delivered -= events.length;
        this.#fail(subscriber, events, error);
      },
    );
    this.#inflight.add(settled);
  }

  /** The subscriber is down: drop it, then redeliver or report the events it did not handle. */
  #fail(subscriber: Subscriber<E>, events: E[], cause: unknown): void {
    if (this.#inRound) this.#fallen.set(subscriber, cause);
    try {
      this.unsubscribe(subscriber);
    } catch (error) {
      rethrowLater(error);
    }
    if (this.#redeliver) {
      this.#dropped += (this.#buffer.prepend as (events: readonly E[]) => number)(events);
      this.#report(new DeliveryError(events, { cause, redelivered: true }), subscriber, false);
      this.#input();
    } else {
      this.#report(new DeliveryError(events, { cause }), subscriber, true);
    }
  }

  /** Hands an error to `onError`; when there is none and it matters, rethrows it from a microtask. */
  #report(error: DeliveryError<E>, subscriber: Subscriber<E>, required: boolean): void {
    const onError = this.#onError;
    if (onError === undefined) {
      if (required) rethrowLater(error);
      return;
    }
    try {
      onError(error, subscriber);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  }

  /** Events a subscription took but its consumer will never see: back to the head of the buffer. */
  #restore(events: E[]): void {
    if (events.length === 0) return;
    this.#delivered -= events.length;
    const buffer = this.#buffer;
    this.#dropped += typeof buffer.prepend === 'function' ? buffer.prepend(events) : buffer.append(events);
    this.#input();
  }
}
