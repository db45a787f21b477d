// Makes any GenStage-style Dispatcher a DemandBuffer: a bounded queue of leftovers plus the dispatcher.
import type { BufferStats, DemandBuffer } from './demand-buffer';
import { assertDemandFits } from './demands';
import type { Discard, Dispatcher, Send } from './dispatcher';
import type { DropListener, DropStrategy } from './drop-strategy';
import { DropReport } from './internal/drop-report';
import { Ring } from './internal/ring';
import { assertBatch, assertCount, assertDropStrategy, assertFunction, assertKnownKeys, assertObject, describeValue } from './validate';

/** Options of {@link DispatchingBuffer}. */
export interface DispatchingBufferOptions<E, S> {
  /**
   * Builds the dispatcher, given the `send` function it must deliver through and the `discard`
   * function through which it reports events it throws away on purpose (so they are counted, see
   * {@link DispatchingBuffer.discarded}). Called once, by the constructor.
   *
   * @example
   * ```ts
   * dispatcher: (send, discard) => new PartitionDispatcher(send, { partitions: 4, onDiscard: discard })
   * ```
   */
  dispatcher: (send: Send<E, S>, discard: Discard<E>) => Dispatcher<E, S>;
  /** Most events waiting in the buffer's own queue; a safe integer ≥ 1. */
  capacity: number;
  /**
   * What happens to events that do not fit.
   * @default 'drop-newest'
   */
  dropStrategy?: DropStrategy;
  /**
   * The subscribe options of a subscriber, read when it first asks (for example
   * `{ partition: 0 }` for a `PartitionDispatcher`, `{ selector }` for a `BroadcastDispatcher`).
   * @default no options
   */
  subscribeOptions?: (subscriber: S) => Record<string, unknown>;
}

/**
 * A {@link DemandBuffer} driven by a {@link Dispatcher}: `BufferServer` can run on GenStage's
 * demand, broadcast and partition dispatchers through it.
 *
 * `append` only queues events and `ask` only records demand; {@link DispatchingBuffer.assignEvents}
 * passes the recorded asks to the dispatcher (in order), hands it the queued events, collects
 * everything it sends (several sends to one subscriber are merged, in order) and keeps the
 * leftovers at the head of the queue. An event the dispatcher cannot handle (its `dispatch`
 * throws, say a partition hash fails on it) is taken out and discarded, so it cannot wedge the
 * buffer; discarded events are counted in {@link DispatchingBuffer.discarded} and handed to the
 * drop listener with the reason `'discarded'` and the error. A subscriber is subscribed to the dispatcher on its first
 * `ask` with a demand above 0, with the options `subscribeOptions(subscriber)` returns;
 * `delete` cancels it.
 *
 * **When to use:** when the event decides who gets it (partitioning by key, filters, broadcast);
 * for count-based sharing `EventBuffer` is simpler.
 *
 * **Gotchas:**
 * - `stats().demand` is what the subscribers asked for minus what was sent to them, tracked here,
 *   so any dispatcher works, even one without `demand()`. For a broadcast every subscriber's
 *   demand counts: two subscribers that each want 3 make 6.
 * - `size` (and `stats().buffered`) counts the events in the queue plus the events the dispatcher
 *   holds back (its optional `buffered()`, such as partition queues). Only the queue is bounded
 *   by `capacity`.
 *
 * @example
 * ```ts
 * import { DispatchingBuffer } from '@dispenser/core';
 * import { PartitionDispatcher } from '@dispenser/strategies';
 *
 * const buffer = new DispatchingBuffer<number, string>({
 *   dispatcher: (send) => new PartitionDispatcher(send, { partitions: ['odd', 'even'], hash: (n) => [n, n % 2 ? 'odd' : 'even'] }),
 *   capacity: 100,
 *   subscribeOptions: (subscriber) => ({ partition: subscriber }),
 * });
 * buffer.append([1, 2, 3, 4]);
 * buffer.ask('odd', 10);
 * buffer.ask('even', 1);
 * buffer.assignEvents(); // [['odd', [1, 3]], ['even', [2]]]
 * buffer.stats();        // { buffered: 1, demand: 8 } (4 waits in the 'even' partition)
 * ```
 * @see Dispatcher
 */
export class DispatchingBuffer<E = never, S = never> implements DemandBuffer<E, S> {
  /** The dispatcher this buffer drives, for inspection. Do not call it directly. */
  readonly dispatcher: Dispatcher<E, S>;
  readonly #queue: Ring<E>;
  readonly #subscribeOptions: ((subscriber: S) => Record<string, unknown>) | undefined;
  readonly #subscriptions = new Map<S, Subscription<S>>();
  /** Asks recorded since the last assignEvents, in order. */
  #asks: Array<[Subscription<S>, number]> = [];
  #demand = 0;
  /** Events sent and not yet returned by assignEvents, per subscriber, in send order. */
  #outgoing = new Map<S, E[]>();
  #outgoingCount = 0;
  #discarded = 0;
  readonly #drops = new DropReport<E>();

  /**
   * @throws TypeError / RangeError for bad options (a missing `dispatcher` factory, a factory
   *   that does not return a dispatcher, a bad capacity or drop strategy, a `subscribeOptions`
   *   that is not a function)
   */
  constructor(options: DispatchingBufferOptions<E, S>) {
    assertObject('options', options);
    assertKnownKeys('options', options, ['dispatcher', 'capacity', 'dropStrategy', 'subscribeOptions']);
    const { dispatcher, capacity, dropStrategy = 'drop-newest', subscribeOptions } = options;
    assertFunction('options.dispatcher', dispatcher);
    if (subscribeOptions !== undefined) assertFunction('options.subscribeOptions', subscribeOptions);
    assertCount('options.capacity', capacity, 1);
    assertDropStrategy('options.dropStrategy', dropStrategy);
    this.#queue = new Ring<E>(capacity, dropStrategy);
    this.#subscribeOptions = subscribeOptions;
    const built: unknown = dispatcher(this.#send, this.#discard);
    if (built === null || typeof built !== 'object') {
      throw new TypeError(`options.dispatcher must return a Dispatcher, received ${describeValue(built)}`);
    }
    for (const method of ['subscribe', 'cancel', 'ask', 'dispatch'] as const) {
      assertFunction(`options.dispatcher(send).${method}`, (built as Record<string, unknown>)[method]);
    }
    this.dispatcher = built as Dispatcher<E, S>;
  }

  /** Most events waiting in the buffer's own queue. */
  get capacity(): number {
    return this.#queue.capacity;
  }

  /** What happens to events that do not fit. */
  get dropStrategy(): DropStrategy {
    return this.#queue.dropStrategy;
  }

  /** Events not yet handed out: those in the queue plus those the dispatcher holds back. */
  get size(): number {
    const held = this.dispatcher.buffered?.() ?? 0;
    return this.#queue.size + held + this.#outgoingCount;
  }

  /** Events discarded so far: reported by the dispatcher through `discard`, or taken out because its `dispatch` threw on them. */
  get discarded(): number {
    return this.#discarded;
  }

  /** `false` when the dispatcher broadcasts (`prepend` would hand events again to subscribers that had them). */
  get supportsRedelivery(): boolean {
    return this.dispatcher.broadcasts !== true;
  }

  /**
   * From now on, hands `listener` the events this buffer drops (its drop strategy as the reason)
   * or discards (`'discarded'`, with the error when a `dispatch` threw). `undefined` stops it.
   *
   * @throws TypeError when `listener` is neither a function nor `undefined`
   */
  watchDrops(listener: DropListener<E> | undefined): void {
    if (listener !== undefined) assertFunction('listener', listener);
    this.#drops.listener = listener;
  }

  /** Whether `subscriber` is subscribed to the dispatcher (it asked, and was not deleted since). */
  has(subscriber: S): boolean {
    return this.#subscriptions.has(subscriber);
  }

  /**
   * Adds events at the back of the queue; dispatching happens in {@link DispatchingBuffer.assignEvents}.
   *
   * @returns how many events were dropped
   * @throws TypeError when `events` is not an array (nothing changes)
   */
  append(events: readonly E[]): number {
    assertBatch('events', events);
    const sink = this.#drops.sink();
    const dropped = this.#queue.append(events, 0, events.length, sink);
    this.#drops.report(sink, this.#queue.dropStrategy);
    return dropped;
  }

  /**
   * Puts events back at the head of the queue, oldest first (for redelivery).
   *
   * @returns how many events were dropped
   * @throws TypeError when `events` is not an array (nothing changes)
   */
  prepend(events: readonly E[]): number {
    assertBatch('events', events);
    return this.#prepend(events);
  }

  /**
   * Adds demand for `subscriber`, subscribing it to the dispatcher first if it is new. The
   * dispatcher's `ask` is called by the next {@link DispatchingBuffer.assignEvents}.
   *
   * @param demand - a non-negative safe integer; 0 is a no-op (it does not subscribe)
   * @throws TypeError / RangeError for a bad demand, TypeError when `subscribeOptions` does not
   *   return an object, and whatever the dispatcher's `subscribe` throws for bad options (in all
   *   these cases nothing changes)
   */
  ask(subscriber: S, demand: number): void {
    assertCount('demand', demand);
    assertDemandFits('demand', this.#demand, demand);
    if (demand === 0) return;
    let subscription = this.#subscriptions.get(subscriber);
    if (subscription === undefined) {
      const options = this.#subscribeOptions?.(subscriber);
      if (options !== undefined && (options === null || typeof options !== 'object')) {
        throw new TypeError(`options.subscribeOptions must return an object, received ${describeValue(options)}`);
      }
      this.dispatcher.subscribe(subscriber, options);
      subscription = { subscriber, outstanding: 0, active: true };
      this.#subscriptions.set(subscriber, subscription);
    }
    subscription.outstanding += demand;
    this.#demand += demand;
    this.#asks.push([subscription, demand]);
  }

  /**
   * Passes the recorded asks to the dispatcher, dispatches the queued events and returns
   * everything sent since the last call.
   *
   * Hands the dispatcher the queue in chunks of at most the outstanding demand, puts leftovers
   * back at the head, and goes on while the dispatcher keeps taking events (a broadcast selector
   * gives demand back during a dispatch).
   *
   * @returns `[subscriber, events]` pairs, one per subscriber, in the order of their first send;
   *   `[]` when nothing was sent
   * @throws whatever the dispatcher's `ask` throws (the refused demand is forgotten); TypeError
   *   when `dispatch` returns something that is not an array. A `dispatch` that throws does not
   *   make this throw: the events it fails on are discarded one by one (see the class).
   */
  assignEvents(): Array<[S, E[]]> {
    if (this.#asks.length > 0) this.#applyAsks();
    const queue = this.#queue;
    while (queue.size > 0 && this.#demand > 0) {
      const chunk = queue.split(Math.min(queue.size, this.#demand));
      const taken = chunk.length;
      let leftovers: unknown;
      try {
        leftovers = this.dispatcher.dispatch(chunk);
      } catch {
        // The dispatcher changed nothing (dispatchers are atomic when they throw): find the
        // events it cannot handle by handing them over one at a time, and take those out.
        leftovers = this.#dispatchEach(chunk);
      }
      if (!Array.isArray(leftovers)) {
        throw new TypeError(`the dispatcher's dispatch must return an array of leftover events, received ${describeValue(leftovers)}`);
      }
      if (leftovers.length > 0) queue.prepend(leftovers as E[]);
      if (leftovers.length >= taken) break;
    }
    if (this.#outgoingCount === 0) return [];
    const out = Array.from(this.#outgoing);
    this.#outgoing = new Map();
    this.#outgoingCount = 0;
    return out;
  }

  /**
   * Cancels `subscriber` in the dispatcher and forgets its demand; unknown subscribers are
   * ignored.
   */
  delete(subscriber: S): void {
    const subscription = this.#subscriptions.get(subscriber);
    if (subscription === undefined) return;
    subscription.active = false;
    this.#subscriptions.delete(subscriber);
    this.#demand -= subscription.outstanding;
    this.dispatcher.cancel(subscriber);
    // Only a dispatcher that sends outside dispatch and ask leaves events here: keep them.
    const unsent = this.#outgoing.get(subscriber);
    if (unsent !== undefined) {
      this.#outgoing.delete(subscriber);
      this.#outgoingCount -= unsent.length;
      this.#prepend(unsent);
    }
  }

  /** Buffered events (see {@link DispatchingBuffer.size}) and outstanding demand: exactly `{ buffered, demand }`. */
  stats(): BufferStats {
    return { buffered: this.size, demand: this.#demand };
  }

  /** Puts events back at the head of the queue, reporting what it drops. */
  #prepend(events: readonly E[]): number {
    const sink = this.#drops.sink();
    const dropped = this.#queue.prepend(events, sink);
    this.#drops.report(sink, this.#queue.dropStrategy);
    return dropped;
  }

  /**
   * Dispatches `chunk` one event at a time after a `dispatch` of the whole chunk threw: events
   * on which `dispatch` throws again are discarded; the rest go on. Returns the leftovers.
   */
  #dispatchEach(chunk: E[]): E[] {
    for (let i = 0; i < chunk.length; i++) {
      const event = chunk[i] as E;
      let rest: E[];
      try {
        rest = this.dispatcher.dispatch([event]);
      } catch (error) {
        this.#discarded++;
        this.#drops.report(this.#drops.sink()?.concat([event]), 'discarded', error);
        continue;
      }
      if (rest.length > 0) return rest.concat(chunk.slice(i + 1));
    }
    return [];
  }

  /** What the dispatcher reports through `discard`: counted, and told to the drop listener. */
  readonly #discard: Discard<E> = (events) => {
    if (!Array.isArray(events) || events.length === 0) return;
    this.#discarded += events.length;
    this.#drops.report(this.#drops.listener === undefined ? undefined : events.slice(), 'discarded');
  };

  #applyAsks(): void {
    const asks = this.#asks;
    this.#asks = [];
    for (let i = 0; i < asks.length; i++) {
      const [subscription, demand] = asks[i] as [Subscription<S>, number];
      if (!subscription.active) continue;
      try {
        this.dispatcher.ask(subscription.subscriber, demand);
      } catch (error) {
        // Forget the refused demand, keep the asks not yet applied.
        const undo = Math.min(subscription.outstanding, demand);
        subscription.outstanding -= undo;
        this.#demand -= undo;
        this.#asks = asks.slice(i + 1).concat(this.#asks);
        throw error;
      }
    }
  }

  /** Collects what the dispatcher sends; merges several sends to one subscriber in order. */
  readonly #send: Send<E, S> = (subscriber, events) => {
    const count = events.length;
    if (count === 0) return;
    const subscription = this.#subscriptions.get(subscriber);
    if (subscription !== undefined) {
      const met = Math.min(subscription.outstanding, count);
      subscription.outstanding -= met;
      this.#demand -= met;
    }
    const previous = this.#outgoing.get(subscriber);
    this.#outgoing.set(subscriber, previous === undefined ? events : previous.concat(events));
    this.#outgoingCount += count;
  };
}

/** A subscriber the buffer subscribed to the dispatcher, and its outstanding demand. */
interface Subscription<S> {
  subscriber: S;
  /** Asked minus sent. */
  outstanding: number;
  /** False once deleted: its recorded asks are skipped. */
  active: boolean;
}
