// Publish/subscribe fan-out: every subscriber gets every event, each within its own bound.
import { BufferClosedError, systemClock, type DropStrategy, type Subscriber } from '@dispenser/core';
import {
  assertBatch,
  assertClock,
  assertCount,
  assertDropStrategy,
  assertFunction,
  assertKnownKeys,
  assertObject,
  assertSignal,
  describeValue,
  demandOverflow,
} from '@dispenser/core/internal';
import { signalMonitor, SubscriptionManager } from '@dispenser/monitored-buffer';
import { DeliveryError } from './errors';
import { handError, reportError } from './internal/async';
import { Backlog } from './internal/backlog';
import { Closing, requestClose } from './internal/closing';
import { EventLog } from './internal/event-log';
import { assertSubscriber, HandlerCalls } from './internal/handler-calls';
import { IdleWaiters } from './internal/idle-waiters';
import { ServerSubscription, type SubscriptionHost } from './internal/server-subscription';
import type {
  BroadcastBound,
  BroadcastServerOptions,
  IdleOptions,
  ServerCloseOptions,
  ServerMetrics,
  ServerStats,
  SubscriberStats,
} from './server-types';
import type { BroadcastSubscribeOptions, Subscription } from './subscription';

/** One subscriber of the server: where it reads, what it may hold, and its books. */
interface Reader<E> {
  readonly subscriber: Subscriber<E>;
  readonly capacity: number;
  readonly dropStrategy: DropStrategy;
  demand: number;
  /** While it reads the shared log: the sequence number of the next event it gets. */
  cursor: number;
  /**
   * A stalled `'drop-newest'` reader's own window of events, copied out of the log so the others
   * can move on; `undefined` while it reads the log. It reads the log again once this empties.
   */
  backlog: Backlog<E> | undefined;
  dropped: number;
  delivered: number;
  /** Taken out of the server (unsubscribed, down, failed); skipped by a round under way. */
  gone: boolean;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

const optionKeys = ['capacity', 'dropStrategy', 'replay', 'monitor', 'onError', 'clock'];

/**
 * Publish/subscribe fan-out: every subscriber receives every event appended after it subscribed
 * (optionally the last `replay` events first), pushed to its `handleAssignedEvents` as its demand
 * allows. Each subscriber has its own bound: events held for it that it has not received yet
 * (its *lag*) never pass its `capacity`. A subscriber that falls behind loses only its own
 * events, by its own drop strategy, counted for it alone (`subscriberStats`), and never slows the
 * others: with `'drop-oldest'` its oldest unreceived events make room; with `'drop-newest'` it
 * stops taking new events until it catches up.
 *
 * Memory is one shared ring of events plus a cursor per subscriber, O(capacity + subscribers),
 * not O(capacity × subscribers): the ring holds what the slowest `'drop-oldest'` reader may
 * still get. A stalled `'drop-newest'` subscriber keeps the oldest `capacity` events it has not
 * received; they are copied out of the ring so the others move on.
 *
 * **When to use:** live streams to many clients of different speeds (websockets, SSE, worker
 * ports), where a slow client must lose its own events rather than hold everyone back. To share
 * events out (each to one subscriber), use `BufferServer`.
 *
 * **Gotchas:** within one append, demand is served first, then bounds apply: a subscriber with
 * demand gets events before anything is dropped for it. Handlers run inside `append`/`ask`; one
 * that calls back into the server only changes its state, and the next round starts after the
 * current one. Every subscriber gets its own array. A subscriber that leaves takes nothing with
 * it: events held for it count as dropped for it.
 *
 * @example
 * ```ts
 * import { BroadcastServer } from '@dispenser/servers';
 *
 * const server = new BroadcastServer<string>({ capacity: 2, dropStrategy: 'drop-oldest' });
 * const fast = { handleAssignedEvents: (events: string[]) => console.log('fast', events) };
 * const slow = { handleAssignedEvents: (events: string[]) => console.log('slow', events) };
 * server.ask(fast, 10);
 * server.ask(slow, 1);
 * server.append(['a', 'b', 'c', 'd']); // fast gets all four; slow gets 'a', then loses 'b'
 * server.subscriberStats(slow);        // { lag: 2, dropped: 1, delivered: 1, demand: 0 }
 * await server.close();
 * ```
 */
export class BroadcastServer<E> {
  /** Most events held for a subscriber that asked for no bound of its own. */
  readonly capacity: number;
  /** What such a subscriber loses past its capacity. */
  readonly dropStrategy: DropStrategy;
  /** How many of the latest events a new subscriber gets first. */
  readonly replay: number;
  readonly #log = new EventLog<E>();
  readonly #readers = new Map<Subscriber<E>, Reader<E>>();
  readonly #manager: SubscriptionManager<Subscriber<E>>;
  readonly #onError: ((error: unknown, subscriber: Subscriber<E>) => void) | undefined;
  readonly #subscriptions = new Map<ServerSubscription<E>, BroadcastBound>();
  readonly #host: SubscriptionHost<E>;
  readonly #calls = new HandlerCalls<E>(
    (subscriber, events, cause, late) => this.#fail(subscriber, events, cause, late),
    () => this.#idle.check(),
  );
  readonly #idle = new IdleWaiters(() => this.#buffered() === 0 && this.#calls.pending === 0);
  /** Readers that asked since the last round, to serve. */
  readonly #asked = new Set<Reader<E>>();
  #appended = 0;
  /** Sum of the readers' demand, kept within `Number.MAX_SAFE_INTEGER`. */
  #demand = 0;
  #dropped = 0;
  #delivered = 0;
  #failed = 0;
  /** Events appended since the last round: every reader needs serving and bounding. */
  #fresh = false;
  #running = false;
  #state = OPEN;
  #closing: Closing | undefined;

  /**
   * @throws TypeError / RangeError for a bad `capacity`, `dropStrategy`, `replay`, `monitor`,
   *   `onError` or `clock`, or an unknown option key
   */
  constructor(options: BroadcastServerOptions<E>) {
    assertObject('options', options);
    assertKnownKeys('options', options, optionKeys);
    const { capacity, dropStrategy = 'drop-newest', replay = 0, monitor = signalMonitor, onError, clock = systemClock } = options;
    assertCount('options.capacity', capacity, 1);
    assertDropStrategy('options.dropStrategy', dropStrategy);
    assertCount('options.replay', replay);
    assertFunction('options.monitor', monitor);
    if (onError !== undefined) assertFunction('options.onError', onError);
    assertClock('options.clock', clock);
    this.capacity = capacity;
    this.dropStrategy = dropStrategy;
    this.replay = replay;
    this.#onError = onError;
    this.#manager = new SubscriptionManager<Subscriber<E>>({
      monitor: (subscriber, down) => (this.#subscriptions.has(subscriber as ServerSubscription<E>) ? undefined : monitor(subscriber, down)),
      onDown: (subscriber) => this.#remove(subscriber),
    });
    this.#host = {
      ask: (subscription, amount) => this.ask(subscription, amount, this.#subscriptions.get(subscription)),
      unsubscribe: (subscription) => this.unsubscribe(subscription),
      restore: (events) => this.#restore(events),
    };
  }

  /**
   * Adds events for every subscriber and hands out at once what their demand allows.
   *
   * @returns how many (event, subscriber) drops the append caused
   * @throws BufferClosedError after `close()`; TypeError when `events` is not an array
   */
  append(events: readonly E[]): number {
    if (this.#state === CLOSED) throw new BufferClosedError('the server is closed');
    assertBatch('events', events);
    if (events.length === 0) return 0;
    const before = this.#dropped;
    this.#appended += events.length;
    this.#log.push(events);
    this.#fresh = true;
    this.#run();
    return this.#dropped - before;
  }

  /**
   * Adds demand for `subscriber`, subscribing (and monitoring) it on its first ask with its
   * bound, and hands it what it holds at once.
   *
   * @param bound - its own `capacity` and `dropStrategy`, read when it first asks (later asks
   *   must name the same bound or none)
   * @throws BufferClosedError after `close()`; TypeError for a subscriber without
   *   `handleAssignedEvents`; TypeError / RangeError for a bad amount or bound, or demand past
   *   `Number.MAX_SAFE_INTEGER` (nothing changes)
   */
  ask(subscriber: Subscriber<E>, amount: number, bound?: BroadcastBound): void {
    if (this.#state === CLOSED) throw new BufferClosedError('the server is closed');
    assertSubscriber(subscriber);
    assertCount('amount', amount);
    let reader = this.#readers.get(subscriber);
    if (reader === undefined || bound !== undefined) {
      const { capacity, dropStrategy } = this.#boundOf(bound);
      if (reader !== undefined && (reader.capacity !== capacity || reader.dropStrategy !== dropStrategy)) {
        throw new RangeError(
          `bound of an existing subscriber cannot change: it has capacity ${reader.capacity} and dropStrategy '${reader.dropStrategy}'`,
        );
      }
      if (amount === 0) return;
      if (this.#demand + amount > Number.MAX_SAFE_INTEGER) throw demandOverflow('amount', amount, this.#demand);
      if (reader === undefined) {
        reader = this.#join(subscriber, capacity, dropStrategy);
        try {
          this.#manager.monitor(subscriber);
        } catch (error) {
          this.#readers.delete(subscriber);
          throw error;
        }
        if (reader.gone) return; // already down: its signal had aborted
      }
    } else {
      if (amount === 0) return;
      if (this.#demand + amount > Number.MAX_SAFE_INTEGER) throw demandOverflow('amount', amount, this.#demand);
    }
    reader.demand += amount;
    this.#demand += amount;
    this.#asked.add(reader);
    this.#run();
  }

  /**
   * Unsubscribes `subscriber`; events held for it count as dropped for it.
   *
   * @returns `false` when it was not subscribed
   */
  unsubscribe(subscriber: Subscriber<E>): boolean {
    const removed = this.#remove(subscriber);
    this.#manager.demonitor(subscriber);
    const subscription = subscriber as ServerSubscription<E>;
    if (this.#subscriptions.delete(subscription)) subscription.drain();
    return removed;
  }

  /**
   * Subscribes a pull-style consumer with its own bound and returns its events as an async
   * iterable of batches, demand kept between `minDemand` and `maxDemand` for you.
   *
   * @throws BufferClosedError after `close()`; TypeError / RangeError for bad options (nothing
   *   is left behind then)
   */
  subscribe(options: BroadcastSubscribeOptions = {}): Subscription<E> {
    if (this.#state === CLOSED) throw new BufferClosedError('the server is closed');
    assertObject('options', options);
    assertKnownKeys('options', options, ['maxDemand', 'minDemand', 'signal', 'capacity', 'dropStrategy']);
    const { maxDemand = 1000, signal, capacity, dropStrategy } = options;
    assertCount('options.maxDemand', maxDemand, 1);
    const minDemand = options.minDemand ?? Math.floor(maxDemand * 0.75);
    assertCount('options.minDemand', minDemand);
    if (minDemand > maxDemand) {
      throw new RangeError(`options.minDemand must be at most maxDemand (${maxDemand}), received ${describeValue(minDemand)}`);
    }
    assertSignal('options.signal', signal);
    const bound: BroadcastBound = {};
    if (capacity !== undefined) bound.capacity = capacity;
    if (dropStrategy !== undefined) bound.dropStrategy = dropStrategy;
    this.#boundOf(bound, 'options.');
    const subscription = new ServerSubscription<E>(this.#host, maxDemand, minDemand, signal);
    if (!signal?.aborted) this.#subscriptions.set(subscription, bound);
    try {
      subscription.start();
    } catch (error) {
      this.#subscriptions.delete(subscription);
      this.#remove(subscription);
      this.#manager.demonitor(subscription);
      throw error;
    }
    return subscription;
  }

  /**
   * Exactly `{ buffered, subscribed, demand }`: the distinct events held for at least one
   * subscriber that has not received them (events kept only for `replay` are not counted), the
   * subscribers, and their total demand.
   */
  stats(): ServerStats {
    return { buffered: this.#buffered(), subscribed: this.#readers.size, demand: this.#demand };
  }

  /**
   * Exactly `{ lag, dropped, delivered, demand }` for one subscriber, or `undefined` when it is
   * not subscribed. For each subscriber, the events offered to it (appended while it was
   * subscribed, and those replayed to it) = `delivered + dropped + lag` + what it failed on.
   */
  subscriberStats(subscriber: Subscriber<E>): SubscriberStats | undefined {
    const reader = this.#readers.get(subscriber);
    if (reader === undefined) return undefined;
    return { lag: this.#lagOf(reader), dropped: reader.dropped, delivered: reader.delivered, demand: reader.demand };
  }

  /**
   * Cumulative counters: exactly `{ appended, dropped, delivered, failed }`, where `appended`
   * counts events and the others count (event, subscriber) copies, summed over subscribers.
   */
  metrics(): ServerMetrics {
    return { appended: this.#appended, dropped: this.#dropped, delivered: this.#delivered, failed: this.#failed };
  }

  /**
   * Resolves once no event is held for a subscriber that has not received it and no handler
   * promise is pending (at once when that is already so).
   *
   * @returns a promise that rejects with the reason of `options.signal` when it aborts first
   */
  onIdle(options: IdleOptions = {}): Promise<void> {
    return this.#idle.wait(options);
  }

  /**
   * Shuts the server down: hands out what the current demand can take, unsubscribes everyone
   * (subscriptions end after the batches they hold; events held for the others count as dropped
   * for them) and resolves once no promise a handler returned is pending. Every call returns the
   * same promise; an abort of `options.signal` stops the wait (those events count as failed).
   */
  close(options: ServerCloseOptions = {}): Promise<void> {
    return requestClose(this.#closing, options, () => {
      const closing = (this.#closing = new Closing(() =>
        this.#calls.abandon((events) => {
          this.#delivered -= events.length;
          this.#failed += events.length;
        }),
      ));
      this.#state = CLOSING;
      if (!this.#running) this.#run();
      return closing;
    });
  }

  /** Same as {@link BroadcastServer.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The bound a subscriber asks for, checked, with the server's defaults filled in. */
  #boundOf(bound: BroadcastBound | undefined, prefix = 'bound.'): Required<BroadcastBound> {
    if (bound === undefined) return { capacity: this.capacity, dropStrategy: this.dropStrategy };
    assertObject(prefix === 'options.' ? 'options' : 'bound', bound);
    if (prefix !== 'options.') assertKnownKeys('bound', bound, ['capacity', 'dropStrategy']);
    const { capacity = this.capacity, dropStrategy = this.dropStrategy } = bound;
    assertCount(`${prefix}capacity`, capacity, 1);
    assertDropStrategy(`${prefix}dropStrategy`, dropStrategy);
    return { capacity, dropStrategy };
  }

  /** A new reader, starting `replay` events back (bounded once its first demand was served). */
  #join(subscriber: Subscriber<E>, capacity: number, dropStrategy: DropStrategy): Reader<E> {
    const log = this.#log;
    const reader: Reader<E> = {
      subscriber,
      capacity,
      dropStrategy,
      demand: 0,
      cursor: Math.max(log.base, log.end - this.replay),
      backlog: undefined,
      dropped: 0,
      delivered: 0,
      gone: false,
    };
    this.#readers.set(subscriber, reader);
    return reader;
  }

  /** Takes a reader out; what was held for it counts as dropped for it. */
  #remove(subscriber: Subscriber<E>): boolean {
    const reader = this.#readers.get(subscriber);
    if (reader === undefined) return false;
    reader.gone = true;
    const lag = this.#lagOf(reader);
    reader.dropped += lag;
    this.#dropped += lag;
    this.#demand -= reader.demand;
    reader.demand = 0;
    this.#readers.delete(subscriber);
    this.#asked.delete(reader);
    return true;
  }

  /** What is held for a reader: its own window, if any, and what the log holds past its cursor. */
  #lagOf(reader: Reader<E>): number {
    return (reader.backlog?.size ?? 0) + this.#log.end - reader.cursor;
  }

  /** Distinct events held for at least one reader that has not received them. */
  #buffered(): number {
    const end = this.#log.end;
    let low = end;
    let apart: Set<number> | undefined;
    for (const reader of this.#readers.values()) {
      low = Math.min(low, reader.cursor);
      if (reader.backlog !== undefined && reader.backlog.size > 0) {
        apart ??= new Set();
        for (const sequence of reader.backlog.sequences()) apart.add(sequence);
      }
    }
    let count = end - low;
    if (apart !== undefined) for (const sequence of apart) if (sequence < low) count++;
    return count;
  }

  /** Runs rounds until nothing is left to serve; never nests. */
  #run(): void {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        if (this.#fresh) {
          this.#fresh = false;
          this.#asked.clear();
          this.#round();
        } else if (this.#asked.size > 0) {
          const readers = [...this.#asked];
          this.#asked.clear();
          for (const reader of readers) {
            if (!reader.gone) this.#serve(reader);
            if (!reader.gone) this.#bound(reader);
          }
        } else {
          break;
        }
      }
    } finally {
      this.#running = false;
      if (this.#state === CLOSING) this.#finishClose();
    }
    this.#idle.check();
  }

  /** Every reader: serve its demand first, then apply its bound; then let go of what nobody needs. */
  #round(): void {
    // A Map iterates what is added meanwhile and skips what is deleted: handlers may do both.
    for (const reader of this.#readers.values()) {
      if (reader.gone) continue;
      this.#serve(reader);
      if (!reader.gone) this.#bound(reader);
    }
    let keep = this.#log.end - this.replay;
    for (const reader of this.#readers.values()) keep = Math.min(keep, reader.cursor);
    this.#log.trim(keep);
  }

  /**
   * Hands a reader what its demand allows, oldest first: its own window, then the shared log
   * from its cursor (a stalled reader's cursor marks the first event not yet offered to it).
   */
  #serve(reader: Reader<E>): void {
    const demand = reader.demand;
    if (demand === 0) return;
    const log = this.#log;
    let batch: E[] | undefined;
    const backlog = reader.backlog;
    if (backlog !== undefined) {
      const count = Math.min(demand, backlog.size);
      if (count > 0) batch = backlog.take(count);
      // Caught up on its window: it reads the log again.
      if (backlog.size === 0) reader.backlog = undefined;
    }
    if (reader.backlog === undefined) {
      const count = Math.min(demand - (batch?.length ?? 0), log.end - reader.cursor);
      if (count > 0) {
        const fresh = log.slice(reader.cursor, count);
        batch = batch === undefined ? fresh : batch.concat(fresh);
        reader.cursor += count;
      }
    }
    if (batch === undefined) return;
    reader.demand -= batch.length;
    this.#demand -= batch.length;
    if (this.#calls.call(reader.subscriber, batch, this)) {
      reader.delivered += batch.length;
      this.#delivered += batch.length;
    }
  }

  /** Keeps a reader's lag within its capacity, by its drop strategy. */
  #bound(reader: Reader<E>): void {
    const log = this.#log;
    const backlog = reader.backlog;
    const offered = log.end - reader.cursor;
    if (backlog !== undefined) {
      // Stalled 'drop-newest': new events join its window while there is room; the rest are lost to it.
      const taken = Math.min(backlog.room, offered);
      if (taken > 0) backlog.add(log.slice(reader.cursor, taken), reader.cursor);
      this.#drop(reader, offered - taken);
      reader.cursor = log.end;
      return;
    }
    const excess = offered - reader.capacity;
    if (excess <= 0) return;
    this.#drop(reader, excess);
    if (reader.dropStrategy === 'drop-oldest') {
      reader.cursor += excess;
      return;
    }
    // Keeps its oldest `capacity` events, copied out so the log can move on without it.
    const window = new Backlog<E>(reader.capacity);
    window.add(log.slice(reader.cursor, reader.capacity), reader.cursor);
    reader.backlog = window;
    reader.cursor = log.end;
  }

  #drop(reader: Reader<E>, count: number): void {
    reader.dropped += count;
    this.#dropped += count;
  }

  /** A handler failed: the subscriber is out, its batch counts as failed and is reported. */
  #fail(subscriber: Subscriber<E>, events: E[], cause: unknown, late: boolean): void {
    const reader = this.#readers.get(subscriber);
    if (late) {
      this.#delivered -= events.length;
      if (reader !== undefined) reader.delivered -= events.length;
    }
    this.#failed += events.length;
    try {
      this.unsubscribe(subscriber);
    } catch (error) {
      reportError(error);
    }
    handError(this.#onError, new DeliveryError(events, { cause, subscriber }), subscriber);
  }

  /** Events a subscription took but its consumer will never see: they were its copies, so they count as dropped for it. */
  #restore(events: E[]): void {
    this.#delivered -= events.length;
    this.#dropped += events.length;
  }

  /** After the final round: let everyone go, then wait for the handlers. */
  #finishClose(): void {
    this.#state = CLOSED;
    for (const subscriber of [...this.#readers.keys()]) {
      try {
        this.unsubscribe(subscriber);
      } catch (error) {
        reportError(error);
      }
    }
    for (const subscription of this.#subscriptions.keys()) subscription.drain();
    this.#subscriptions.clear();
    this.#log.trim(this.#log.end);
    (this.#closing as Closing).waitFor(() => this.#calls.settled());
  }
}
