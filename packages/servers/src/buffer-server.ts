// A push server: events go to subscribers as soon as there is demand for them.
import { BufferClosedError, EventBuffer, type DemandBuffer, type Subscriber } from '@dispenser/core';
import {
  assertBatch,
  assertCount,
  assertDemandBuffer,
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertSignal,
  describeValue,
  renameDemandOverflow,
} from '@dispenser/core/internal';
import { signalMonitor, SubscriptionManager } from '@dispenser/monitored-buffer';
import { even } from '@dispenser/strategies';
import { DeliveryError } from './errors';
import { handError, reportError } from './internal/async';
import { Closing, requestClose } from './internal/closing';
import { immediately, type FlushPolicy, type FlushPolicyFactory } from './internal/flush-policy';
import { assertSubscriber, HandlerCalls } from './internal/handler-calls';
import { IdleWaiters } from './internal/idle-waiters';
import { PendingWrites } from './internal/pending-writes';
import { ServerSubscription, type SubscriptionHost } from './internal/server-subscription';
import type { BufferServerOptions, IdleOptions, ServerCloseOptions, ServerMetrics, ServerStats, WriteOptions } from './server-types';
import type { Subscription, SubscribeOptions } from './subscription';

/** The option keys of `BufferServer`, for the unknown-key check (`BatchingBufferServer` adds its own). */
export const bufferServerKeys: readonly string[] = ['buffer', 'capacity', 'dropStrategy', 'strategy', 'monitor', 'redeliver', 'onError', 'onDrop'];

const OPEN = 0; // everything works
const CLOSING = 1; // close() was called: the final round runs (handlers may still append and ask)
const CLOSED = 2; // the final round is over: append, write, ask and subscribe throw

/**
 * Gives a server built by a subclass in this package (`BatchingBufferServer`) its flush policy.
 * Set once, by the static block of {@link BufferServer}; not exported from the package.
 */
export let useFlushPolicy: <E>(server: BufferServer<E>, factory: FlushPolicyFactory) => void;

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
 * unsubscribed, and the batch it failed on counts as `failed` and goes to `onError` as a
 * `DeliveryError` (by default, to `console.error`: the server keeps serving the others) — or,
 * with `redeliver: true`, back to the head of the buffer for the others.
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
export class BufferServer<E> {
  readonly #buffer: DemandBuffer<E, Subscriber<E>>;
  /** Watches every subscriber with demand; one that goes down loses its demand. */
  readonly #manager: SubscriptionManager<Subscriber<E>>;
  #policy: FlushPolicy = immediately;
  readonly #redeliver: boolean;
  readonly #onError: ((error: unknown, subscriber: Subscriber<E>) => void) | undefined;
  readonly #writes = new PendingWrites<E>(reportError);
  readonly #subscriptions = new Set<ServerSubscription<E>>();
  /** The handlers under way, and the promises they returned. */
  readonly #calls = new HandlerCalls<E>(
    (subscriber, events, cause, late) => {
      if (late) this.#delivered -= events.length;
      this.#fail(subscriber, events, cause);
    },
    () => this.#idle.check(),
  );
  readonly #idle = new IdleWaiters(() => this.#buffer.size === 0 && this.#calls.pending === 0);
  /** Subscribers that went down or failed during the current round, with why. */
  readonly #fallen = new Map<Subscriber<E>, unknown>();
  readonly #host: SubscriptionHost<E>;
  readonly #accept = (events: readonly E[]): void => {
    this.#appended += events.length;
    this.#dropped += this.#buffer.append(events);
  };
  #appended = 0;
  #dropped = 0;
  #delivered = 0;
  #failed = 0;
  /** The buffer's `discarded` count when the server took it over; later discards count as dropped. */
  readonly #discardedBefore: number;
  #running = false;
  #needAssign = false;
  #inRound = false;
  #state = OPEN;
  #closing: Closing | undefined;

  static {
    useFlushPolicy = (server, factory) => {
      server.#policy = factory(() => {
        if (server.#state === CLOSED) return;
        server.#needAssign = true;
        server.#run();
      });
    };
  }

  /**
   * @throws TypeError for a missing or malformed buffer, a bad `monitor`/`onError`/`onDrop`,
   *   `redeliver: true` with a buffer that cannot take events back, `onDrop` with a buffer that
   *   does not report its drops, or an unknown option key
   */
  constructor(options: BufferServerOptions<E>) {
    assertObject('options', options);
    if (new.target === BufferServer) assertKnownKeys('options', options, bufferServerKeys);
    const { monitor = signalMonitor, redeliver = false, onError, onDrop } = options;
    const buffer = bufferOf(options);
    assertFunction('options.monitor', monitor);
    if (onError !== undefined) assertFunction('options.onError', onError);
    if (onDrop !== undefined) assertFunction('options.onDrop', onDrop);
    if (typeof redeliver !== 'boolean') {
      throw new TypeError(`options.redeliver must be a boolean, received ${describeValue(redeliver)}`);
    }
    if (redeliver && typeof buffer.prepend !== 'function') {
      throw new TypeError('options.redeliver needs a buffer with a prepend method (EventBuffer has one)');
    }
    if (redeliver && buffer.supportsRedelivery === false) {
      throw new TypeError(
        'options.redeliver cannot be used with this buffer: it sends each event to several subscribers (a broadcast), so redelivered events would reach subscribers that already had them',
      );
    }
    if (onDrop !== undefined) {
      if (typeof buffer.watchDrops !== 'function') {
        throw new TypeError('options.onDrop needs a buffer that reports its drops (a watchDrops method: EventBuffer and DispatchingBuffer have one)');
      }
      buffer.watchDrops((events, reason, cause) => {
        try {
          onDrop(events, reason, cause);
        } catch (error) {
          reportError(error);
        }
      });
    }
    this.#discardedBefore = buffer.discarded ?? 0;
    this.#buffer = buffer;
    this.#manager = new SubscriptionManager<Subscriber<E>>({
      // A subscription watches its own signal; everyone else is watched by the monitor.
      monitor: (subscriber, down) => (this.#subscriptions.has(subscriber as ServerSubscription<E>) ? undefined : monitor(subscriber, down)),
      onDown: (subscriber, _ref, reason) => {
        buffer.delete(subscriber);
        if (this.#inRound) this.#fallen.set(subscriber, reason);
      },
    });
    this.#redeliver = redeliver;
    this.#onError = onError;
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
   * @throws BufferClosedError after `close()`; TypeError when `events` is not an array
   */
  append(events: readonly E[]): number {
    this.#assertOpen();
    assertBatch('events', events);
    const count = events.length;
    if (count === 0) return 0;
    this.#appended += count;
    const buffer = this.#buffer;
    if (!this.#running && buffer.appendAndAssign !== undefined) {
      const after = buffer.size + count;
      const capacity = buffer.capacity;
      if (this.#policy.shouldAssign(capacity === undefined || after < capacity ? after : capacity)) return this.#handOff(events);
    }
    const dropped = buffer.append(events);
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
   * @throws TypeError (as a rejection) when `events` is not an array
   */
  write(events: readonly E[], options: WriteOptions = {}): Promise<void> {
    try {
      this.#assertOpen();
      assertBatch('events', events);
      assertObject('options', options);
      assertKnownKeys('options', options, ['signal', 'onAccepted']);
      assertSignal('options.signal', options.signal);
      if (options.onAccepted !== undefined) assertFunction('options.onAccepted', options.onAccepted);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal, onAccepted } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (events.length === 0) return Promise.resolve();
    const done = this.#writes.add(events, signal, onAccepted);
    this.#run();
    return done;
  }

  /**
   * Adds demand for `subscriber` (subscribing and monitoring it) and hands it buffered events at
   * once when there are some. An amount of 0 does nothing.
   *
   * @throws BufferClosedError after `close()`; TypeError for a subscriber without
   *   `handleAssignedEvents`; TypeError / RangeError for a bad amount, or one that would take
   *   the total demand past `Number.MAX_SAFE_INTEGER` (nothing changes)
   */
  ask(subscriber: Subscriber<E>, amount: number): void {
    this.#assertOpen();
    assertSubscriber(subscriber);
    assertCount('amount', amount);
    if (amount === 0) return;
    const manager = this.#manager;
    const known = manager.has(subscriber);
    try {
      this.#buffer.ask(subscriber, amount);
    } catch (error) {
      throw renameDemandOverflow(error, 'amount', amount);
    }
    if (!known) {
      try {
        manager.monitor(subscriber);
      } catch (error) {
        this.#buffer.delete(subscriber);
        throw error;
      }
    }
    this.#input();
  }

  /**
   * Unsubscribes `subscriber`: stops monitoring it and cancels its remaining demand. Events
   * already assigned to it in the round under way are still handed to it.
   *
   * @returns `false` when it was not subscribed
   */
  unsubscribe(subscriber: Subscriber<E>): boolean {
    this.#buffer.delete(subscriber);
    const removed = this.#manager.demonitor(subscriber);
    if (this.#subscriptions.delete(subscriber as ServerSubscription<E>)) (subscriber as ServerSubscription<E>).drain();
    return removed;
  }

  /**
   * Subscribes a new consumer and returns its events as an async iterable of batches, with
   * demand kept between `minDemand` and `maxDemand` for you; see {@link Subscription}.
   *
   * @throws BufferClosedError after `close()`; TypeError / RangeError for bad options
   *   (`minDemand` above `maxDemand`, or a `maxDemand` that would take the total demand past
   *   `Number.MAX_SAFE_INTEGER`, included; nothing is left behind then)
   */
  subscribe(options: SubscribeOptions = {}): Subscription<E> {
    this.#assertOpen();
    assertObject('options', options);
    assertKnownKeys('options', options, ['maxDemand', 'minDemand', 'signal']);
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
    try {
      subscription.start();
    } catch (error) {
      // start() took its listener off the signal; take the subscription out of the server.
      this.#subscriptions.delete(subscription);
      this.#buffer.delete(subscription);
      this.#manager.demonitor(subscription);
      throw renameDemandOverflow(error, 'options.maxDemand', maxDemand);
    }
    return subscription;
  }

  /**
   * Resolves once nothing is buffered and no promise a handler returned is pending (at once when
   * that is already so), the way p-queue's `onIdle` does, so you need not poll `stats()`.
   *
   * **Gotchas:** "nothing buffered" is the buffer's `size`: events waiting for demand keep the
   * server busy. Events appended after it resolved start a new busy period.
   *
   * @returns a promise that rejects with the reason of `options.signal` when it aborts first
   */
  onIdle(options: IdleOptions = {}): Promise<void> {
    return this.#idle.wait(options);
  }

  /**
   * A Web Streams sink for this server: each chunk written is one event, and a write waits for
   * room (`write([event])`), so a producer piping into it feels the backpressure instead of
   * overflowing the buffer. Closing or aborting the stream does not close the server (it may
   * have other producers). For Node streams, use `Writable.fromWeb(server.writable())`.
   *
   * @example
   * ```ts
   * import { BufferServer } from '@dispenser/servers';
   *
   * const server = new BufferServer<number>({ capacity: 100 });
   * await ReadableStream.from([1, 2, 3]).pipeTo(server.writable());
   * server.stats().buffered; // 3
   * ```
   */
  writable(): WritableStream<E> {
    return new WritableStream<E>(
      { write: (event) => this.write([event]) },
      new CountQueuingStrategy({ highWaterMark: 1 }),
    );
  }

  /** Buffered events, subscribed subscribers and outstanding demand: exactly `{ buffered, subscribed, demand }`. */
  stats(): ServerStats {
    const { buffered, demand } = this.#buffer.stats();
    return { buffered, subscribed: this.#manager.size, demand };
  }

  /**
   * Cumulative counters: exactly `{ appended, dropped, delivered, failed }`. At every quiet
   * point (no handler promise pending), `appended = delivered + dropped + failed + buffered`.
   */
  metrics(): ServerMetrics {
    const discarded = (this.#buffer.discarded ?? 0) - this.#discardedBefore;
    return { appended: this.#appended, dropped: this.#dropped + discarded, delivered: this.#delivered, failed: this.#failed };
  }

  /**
   * Shuts the server down: hands out what the current demand can take (the same final round,
   * without waiting for a batching timer, also when called from inside a handler), rejects
   * waiting writes with `BufferClosedError`, unsubscribes everyone (subscriptions end after the
   * batches they already hold) and resolves once no promise returned by a handler is pending.
   * Later `append`, `write`, `ask` and `subscribe` throw `BufferClosedError`. Events nobody asked
   * for stay in the buffer you passed in. Every call returns the same promise.
   *
   * **Gotchas:** a handler promise that never settles keeps `close()` waiting: pass a `signal`
   * to stop waiting (see {@link ServerCloseOptions}).
   *
   * @returns a promise that resolves once no handler promise is pending, or rejects with the
   *   reason of an aborted `signal` (or a `TypeError` for bad options)
   */
  close(options: ServerCloseOptions = {}): Promise<void> {
    return requestClose(this.#closing, options, () => {
      const closing = (this.#closing = new Closing(() =>
        this.#calls.abandon((events) => {
          this.#delivered -= events.length;
          if (this.#redeliver) this.#putBack(events);
          else this.#failed += events.length;
        }),
      ));
      this.#state = CLOSING;
      this.#policy.close();
      this.#needAssign = true;
      // Inside a handler the round under way ends with the final round; #run finishes the close.
      if (!this.#running) this.#run();
      return closing;
    });
  }

  /** Same as {@link BufferServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** After the final round: refuse new work, let everyone go, then wait for the handlers. */
  #finishClose(): void {
    this.#state = CLOSED;
    this.#writes.rejectAll(new BufferClosedError('the server was closed before the write was accepted'));
    for (const subscriber of [...this.#manager.subscribers()]) {
      try {
        this.unsubscribe(subscriber);
      } catch (error) {
        reportError(error);
      }
    }
    for (const subscription of this.#subscriptions) subscription.drain();
    this.#subscriptions.clear();
    const closing = this.#closing as Closing;
    closing.waitFor(() => this.#calls.settled());
  }

  #assertOpen(): void {
    if (this.#state === CLOSED) throw new BufferClosedError('the server is closed');
  }

  /** Events or demand arrived: let the policy decide whether to assign, then run. */
  #input(): void {
    if (this.#state === CLOSED) return;
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
      if (this.#state === CLOSING) this.#finishClose();
    }
    this.#idle.check();
  }

  /** Moves events of waiting writes into the room the buffer has; true when some moved. */
  #admit(): boolean {
    const capacity = this.#buffer.capacity;
    const room = capacity === undefined ? Number.POSITIVE_INFINITY : capacity - this.#buffer.size;
    if (room <= 0 || this.#state === CLOSED) return false;
    if (this.#writes.admit(room, this.#accept) === 0) return false;
    if (this.#policy.shouldAssign(this.#buffer.size)) this.#needAssign = true;
    return true;
  }

  /**
   * Appends and assigns in one step through the buffer's `appendAndAssign` (events that go out at
   * once skip the buffer), delivers, then runs what the handlers asked for.
   */
  #handOff(events: readonly E[]): number {
    const buffer = this.#buffer;
    const pairs: Array<[Subscriber<E>, E[]]> = [];
    const before = buffer.size;
    let dropped = 0;
    let failure: { error: unknown } | undefined;
    this.#running = true;
    try {
      dropped = (buffer.appendAndAssign as NonNullable<typeof buffer.appendAndAssign>)(events, pairs);
    } catch (error) {
      // The events are buffered as append() would have left them; count what it dropped.
      dropped = events.length - (buffer.size - before);
      failure = { error };
    } finally {
      this.#running = false;
    }
    this.#dropped += dropped;
    if (failure === undefined && pairs.length > 0) {
      this.#running = true;
      try {
        this.#deliverAll(pairs);
      } finally {
        this.#running = false;
      }
    }
    // What handlers asked for, waiting writes, and a close() called meanwhile.
    this.#run();
    if (failure !== undefined) throw failure.error;
    return dropped;
  }

  /** One round: assign, then hand each batch over. */
  #round(): void {
    // Nothing buffered, nothing to assign (size counts every event a buffer holds).
    if (this.#buffer.size === 0) return;
    const assignments = this.#buffer.assignEvents();
    if (assignments.length > 0) this.#deliverAll(assignments);
  }

  /** Hands each `[subscriber, events]` pair over, in order. */
  #deliverAll(pairs: Array<[Subscriber<E>, E[]]>): void {
    this.#inRound = true;
    try {
      for (let i = 0; i < pairs.length; i++) {
        const pair = pairs[i] as [Subscriber<E>, E[]];
        this.#deliver(pair[0], pair[1]);
      }
    } finally {
      this.#inRound = false;
      if (this.#fallen.size > 0) this.#fallen.clear();
    }
  }

  #deliver(subscriber: Subscriber<E>, events: E[]): void {
    if (this.#fallen.size > 0 && this.#fallen.has(subscriber)) {
      this.#fail(subscriber, events, this.#fallen.get(subscriber));
      return;
    }
    if (this.#calls.call(subscriber, events, this)) this.#delivered += events.length;
  }

  /** The subscriber is down: drop it, then redeliver or report the events it did not handle. */
  #fail(subscriber: Subscriber<E>, events: E[], cause: unknown): void {
    if (this.#inRound) this.#fallen.set(subscriber, cause);
    try {
      this.unsubscribe(subscriber);
    } catch (error) {
      reportError(error);
    }
    if (this.#redeliver && this.#state !== CLOSED) {
      this.#putBack(events);
      if (this.#onError !== undefined) this.#report(new DeliveryError(events, { cause, redelivered: true, subscriber }), subscriber);
      this.#input();
    } else if (this.#redeliver) {
      // Closed: nobody takes them now, but they stay in the buffer you passed in.
      this.#putBack(events);
    } else {
      this.#failed += events.length;
      this.#report(new DeliveryError(events, { cause, subscriber }), subscriber);
    }
  }

  /** Puts events back at the head of the buffer; those that no longer fit count as dropped. */
  #putBack(events: E[]): void {
    this.#dropped += (this.#buffer.prepend as (events: readonly E[]) => number)(events);
  }

  /** Hands an error to `onError`, or to `console.error` when there is none (or it throws). */
  #report(error: DeliveryError<E>, subscriber: Subscriber<E>): void {
    handError(this.#onError, error, subscriber);
  }

  /**
   * Events a subscription took but its consumer will never see: back to the head of the buffer
   * (its tail, for a buffer without `prepend`). Over a buffer that cannot take events back (a
   * broadcast), they count as failed: the other subscribers had their copies.
   */
  #restore(events: E[]): void {
    if (events.length === 0) return;
    this.#delivered -= events.length;
    const buffer = this.#buffer;
    if (buffer.supportsRedelivery === false) {
      this.#failed += events.length;
      return;
    }
    this.#dropped += typeof buffer.prepend === 'function' ? buffer.prepend(events) : buffer.append(events);
    this.#input();
  }
}

/** The buffer the options name, or the `EventBuffer` their shorthand describes (with `even` by default). */
function bufferOf<E>(options: BufferServerOptions<E>): DemandBuffer<E, Subscriber<E>> {
  const { buffer, capacity, dropStrategy, strategy } = options;
  if (buffer !== undefined) {
    const also = (['capacity', 'dropStrategy', 'strategy'] as const).filter((key) => options[key] !== undefined);
    if (also.length > 0) {
      throw new TypeError(`options.buffer cannot be combined with options.${also.join(', options.')}: they describe a buffer the server would make`);
    }
    assertDemandBuffer('options.buffer', buffer);
    return buffer;
  }
  if (capacity === undefined) {
    throw new TypeError('options must name a buffer (options.buffer) or the capacity of one for the server to make (options.capacity)');
  }
  return new EventBuffer<E, Subscriber<E>>({ strategy: strategy ?? even, capacity, ...(dropStrategy === undefined ? {} : { dropStrategy }) });
}
